import { ObjectId } from 'bson';
import type { Document, Filter } from 'mongodb';

/**
 * Counts are taken over documents created before an instant a little in the past, on both sides.
 * MongoDB is counted after Postgres' snapshot, so under live inserts a count of all documents would
 * differ by whatever arrived in between (or is still syncing), every time. An ObjectId carries its
 * creation second, so the cutoff applies to both stores alike: `_id < ObjectId(cutoff)` in MongoDB,
 * the same 24-hex comparison on `legacy_object_id` in Postgres. `_id`s of other types are rare and
 * counted whole. The documents left out are still compared one by one by the range verification.
 */
export interface CountCutoff {
  readonly at: Date;
  /** MongoDB filter: documents created before the cutoff, and every non-ObjectId `_id`. */
  readonly mongo: Filter<Document>;
  /** SQL condition on `<alias>.legacy_object_id`, with the cutoff as parameter `$n`. */
  pg(alias: string, param: number): string;
  /** The parameter value for pg(). */
  readonly pgValue: string;
  includes(legacyId: string): boolean;
}

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;

/** Time a just-written document gets before counts include it: its dual write's sync, and clock skew. */
export const COUNT_SETTLE_MS = 10_000;

export function countCutoff(now: Date, settleMs = COUNT_SETTLE_MS): CountCutoff {
  const at = new Date(now.getTime() - settleMs);
  const bound = ObjectId.createFromTime(Math.floor(at.getTime() / 1000));
  const hex = bound.toHexString();
  return {
    at,
    mongo: { $or: [{ _id: { $not: { $type: 'objectId' } } }, { _id: { $lt: bound } }] },
    pg: (alias, param) =>
      `(${alias}.legacy_object_id !~ '^[0-9a-f]{24}$' OR ${alias}.legacy_object_id < $${param})`,
    pgValue: hex,
    includes: (legacyId) => !OBJECT_ID_HEX.test(legacyId) || legacyId < hex,
  };
}
