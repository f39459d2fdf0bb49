import { ObjectId } from 'bson';
import type { Document, Filter } from 'mongodb';

/**
 * How the delta sweep tells which documents of a collection changed since an instant.
 *
 *   updatedAt  Mongoose timestamps: every insert and every update through the app sets `updatedAt`.
 *              A document whose `updatedAt` is missing or not a date (older than the timestamps
 *              plugin, or written by a raw driver, or a string) is not lost: it is swept by its
 *              ObjectId's creation time instead, the way an append-only collection is, so at least its
 *              insert is seen (an `_id` that is not an ObjectId has no time: only the seam, the gaps and
 *              verification cover such a document).
 *   objectId   Append-only collections (no `updatedAt` at all, ../shared/legacy-schema.md): a document is
 *              written once, when it is inserted, and its ObjectId carries that instant. This reads the
 *              `_id` index alone, where an `updatedAt` filter would scan the collection.
 *
 * What neither sees: an update that does not bump `updatedAt` (a raw `$set` outside Mongoose), or a
 * writer whose clock is behind by more than the overlap. Verification (range checksums) is the proof
 * for those; the sweep is the cheap, frequent backstop.
 */
export type SweepClock = 'updatedAt' | 'objectId';

/**
 * Collections whose documents are never updated and carry no `updatedAt` (../shared/legacy-schema.md:
 * "No updatedAt"). Kept here rather than on the specs: it is a property of the source, used only by
 * the sweep, and test/sweep checks it against the specs' collections.
 */
export const APPEND_ONLY_COLLECTIONS: ReadonlySet<string> = new Set([
  'configsettinghistories',
  'fundsledgerentries',
  'pointtransactions',
]);

export function clockOf(collection: string): SweepClock {
  return APPEND_ONLY_COLLECTIONS.has(collection) ? 'objectId' : 'updatedAt';
}

/**
 * The smallest ObjectId minted at or after `since` (to the second below it: ObjectIds carry whole
 * seconds, so rounding down can only read a little more).
 */
export function mintedSince(since: Date): ObjectId {
  return ObjectId.createFromTime(Math.max(0, Math.floor(since.getTime() / 1000)));
}

/** The documents of a collection changed at or after `since`, by the collection's clock. */
export function changedSince(clock: SweepClock, since: Date): Filter<Document> {
  const minted = { _id: { $type: 'objectId' as const, $gte: mintedSince(since) } };
  if (clock === 'objectId') return minted;
  return {
    $or: [{ updatedAt: { $gte: since } }, { updatedAt: { $not: { $type: 'date' } }, ...minted }],
  };
}
