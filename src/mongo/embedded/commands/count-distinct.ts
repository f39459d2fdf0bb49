import { Int32 } from 'bson';
import { compareValues, valueKey } from '../compare.js';
import { badValue } from '../errors.js';
import { lookupPath, splitPath } from '../path.js';
import { resolveHint } from '../hint.js';
import { countMatching, docOf, findRecords } from '../query.js';
import { collectionArg, numberArg, type CommandHandler } from './context.js';

/** count (what estimatedDocumentCount uses, O(1) without a query) and distinct. */
export const count: CommandHandler = (cmd, ctx) => {
  const coll = ctx.store.get(ctx.db, collectionArg(cmd, 'count'));
  const skip = numberArg(cmd, 'skip') ?? 0;
  const limit = Math.abs(numberArg(cmd, 'limit') ?? 0);
  let n = countMatching(coll, cmd.query, resolveHint(coll, cmd.hint));
  n = Math.max(0, n - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n: new Int32(n), ok: 1 };
};

export const distinct: CommandHandler = (cmd, ctx) => {
  const coll = ctx.store.get(ctx.db, collectionArg(cmd, 'distinct'));
  if (typeof cmd.key !== 'string')
    throw badValue("BSON field 'distinct.key' is missing but a required field");
  const parts = splitPath(cmd.key);
  const seen = new Map<string, unknown>();
  const hint = resolveHint(coll, cmd.hint);
  for (const hit of findRecords(coll, { filter: cmd.query ?? {}, hint })) {
    for (const pv of lookupPath(docOf(hit), parts).values) {
      // Arrays contribute their elements, as with a multikey index.
      const values = Array.isArray(pv.value) ? pv.value : [pv.value];
      for (const v of values) {
        const k = valueKey(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    }
  }
  return { values: [...seen.values()].sort(compareValues), ok: 1 };
};
