import { isPlainObject, type Doc } from '../bson-types.js';
import { badValue } from '../errors.js';
import { resolveHint } from '../hint.js';
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
  if (cmd.fields !== undefined && cmd.fields !== null && !isPlainObject(cmd.fields))
    throw badValue("'fields' must be an object");
  const project = compileProjection(cmd.fields, { mode: 'find', filter: cmd.query });
  const shape = (doc: Doc | undefined): Doc | null => (doc ? (project ? project(doc) : doc) : null);

  const existing = ctx.store.get(ctx.db, name);
  const hint = resolveHint(existing, cmd.hint);
  if (remove) {
    const out = deleteDocuments(existing, cmd.query ?? {}, 1, cmd.sort, hint);
    return { lastErrorObject: { n: out.n }, value: shape(out.deleted), ok: 1 };
  }
  const coll = existing ?? ctx.store.getOrCreate(ctx.db, name);
  let out;
  try {
    out = updateDocuments(coll, {
      q: cmd.query ?? {},
      u: cmd.update,
      upsert,
      multi: false,
      sort: cmd.sort,
      hint,
    });
  } finally {
    // Nothing written (no match, no upsert, or a refused update): no empty collection left behind.
    if (!existing && coll.count === 0) ctx.store.drop(ctx.db, name);
  }
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
