import { isPlainObject, type Doc } from '../bson-types.js';
import { badValue } from '../errors.js';
import { compileProjection } from '../projection.js';
import { deleteDocuments, updateDocuments } from '../write-ops.js';
import { boolArg, collectionArg, type CommandHandler } from './context.js';

/** findAndModify: one document, chosen by query + sort; returns it before or after (`new`) the change. */
export const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, Object.keys(cmd)[0] ?? 'findAndModify');
  const remove = boolArg(cmd, 'remove', false);
  const returnNew = boolArg(cmd, 'new', false);
  const upsert = boolArg(cmd, 'upsert', false);
  if (remove && (cmd.update !== undefined || returnNew || upsert)) {
    throw badValue('Cannot specify remove with update, new or upsert');
  }
  if (!remove && cmd.update === undefined)
    throw badValue('Either an update or remove=true must be specified');
  const project = compileProjection(isPlainObject(cmd.fields) ? cmd.fields : undefined);
  const shape = (doc: Doc | undefined): Doc | null => (doc ? (project ? project(doc) : doc) : null);

  if (remove) {
    const out = deleteDocuments(ctx.store.get(ctx.db, name), cmd.query ?? {}, 1, cmd.sort);
    return { lastErrorObject: { n: out.n }, value: shape(out.deleted), ok: 1 };
  }
  const coll = ctx.store.getOrCreate(ctx.db, name);
  const out = updateDocuments(coll, {
    q: cmd.query ?? {},
    u: cmd.update,
    upsert,
    multi: false,
    sort: cmd.sort,
    arrayFilters: cmd.arrayFilters,
  });
  if (out.upsertedId !== undefined) {
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: out.upsertedId },
      value: returnNew ? shape(out.after) : null,
      ok: 1,
    };
  }
  return {
    lastErrorObject: { n: out.matched, updatedExisting: out.matched > 0 },
    value: shape(returnNew ? out.after : out.before),
    ok: 1,
  };
};
