import type { Doc } from '../bson-types.js';
import { isPlainObject } from '../bson-types.js';
import { badValue } from '../errors.js';
import { decode } from '../raw-bson.js';
import { resolveHint } from '../hint.js';
import { deleteDocuments, updateDocuments } from '../write-ops.js';
import { boolArg, collectionArg, numberArg, type CommandContext, type CommandHandler } from './context.js';
import { checkFields, DELETE_STATEMENT, UPDATE_STATEMENT, type Rules } from './options.js';
import { writeError, writeReply } from './write-errors.js';

/** update and delete: statements from a kind-1 sequence or the body, with ordered/unordered semantics. */
function statements(cmd: Doc, ctx: CommandContext, field: string, rules: Rules): Doc[] {
  const command = Object.keys(cmd)[0] ?? '';
  const seq = ctx.sequences.get(field);
  let list: Doc[];
  if (seq) list = seq.map(decode);
  else {
    const inline = cmd[field];
    if (!Array.isArray(inline)) throw badValue(`BSON field '${field}' is missing but a required field`);
    list = inline.map((s) => {
      if (!isPlainObject(s)) throw badValue(`${field} entries must be objects`);
      return s;
    });
  }
  // Like mongod, the whole command is refused when one statement carries an unknown or unsupported field.
  for (const s of list) checkFields(s, `${command}.${field}`, rules, false);
  return list;
}

export const update: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'update');
  const ordered = boolArg(cmd, 'ordered', true);
  const list = statements(cmd, ctx, 'updates', UPDATE_STATEMENT);
  const existed = ctx.store.get(ctx.db, name) !== undefined;
  const coll = ctx.store.getOrCreate(ctx.db, name);
  const writeErrors: Doc[] = [];
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  list.forEach((s, index) => {
    if (ordered && writeErrors.length > 0) return;
    try {
      const out = updateDocuments(coll, {
        q: s.q,
        u: s.u,
        upsert: boolArg(s, 'upsert', false),
        multi: boolArg(s, 'multi', false),
        sort: s.sort,
        hint: resolveHint(coll, s.hint),
      });
      n += out.matched;
      nModified += out.modified;
      if (out.upsertedId !== undefined) {
        n++;
        upserted.push({ index, _id: out.upsertedId });
      }
    } catch (err) {
      writeErrors.push(writeError(index, err));
    }
  });
  // An update that created nothing leaves no empty collection behind (as mongod does).
  if (!existed && coll.count === 0) ctx.store.drop(ctx.db, name);
  return writeReply(n, writeErrors, { nModified, ...(upserted.length ? { upserted } : {}) });
};

export const remove: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'delete');
  const ordered = boolArg(cmd, 'ordered', true);
  const coll = ctx.store.get(ctx.db, name);
  const writeErrors: Doc[] = [];
  let n = 0;
  statements(cmd, ctx, 'deletes', DELETE_STATEMENT).forEach((s, index) => {
    if (ordered && writeErrors.length > 0) return;
    try {
      n += deleteDocuments(coll, s.q, numberArg(s, 'limit') ?? 0, undefined, resolveHint(coll, s.hint)).n;
    } catch (err) {
      writeErrors.push(writeError(index, err));
    }
  });
  return writeReply(n, writeErrors);
};
