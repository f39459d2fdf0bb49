import { ObjectId } from 'bson';
import type { Db as MongoDb, Document } from 'mongodb';
import type pg from 'pg';
import { legacyIdOf } from '../collections/mapping/legacyId.js';

/**
 * The documents of a collection that are not settled at `since`: written in MongoDB after it (by
 * `updatedAt`, or created after it by their ObjectId), or with an open or dead gap. Under live writes
 * Postgres may not have caught up with them yet (a dual write's sync in flight), so a sum over both
 * stores could never agree while they are in it. A document MongoDB has not touched since `since` and
 * that has no gap must be in Postgres as MongoDB has it: nothing excuses a difference there. Whole-collection figures (the money sums) leave them out of BOTH sides; the range
 * verification still compares every one of them, with its recheck.
 */
export async function unsettledIds(
  client: pg.ClientBase,
  mongo: MongoDb,
  collection: string,
  since: Date,
): Promise<Set<string>> {
  const ids = new Set<string>();
  const minted = ObjectId.createFromTime(Math.floor(since.getTime() / 1000));
  const cursor = mongo
    .collection<Document>(collection)
    .find({ $or: [{ updatedAt: { $gt: since } }, { _id: { $gte: minted } }] }, { projection: { _id: 1 } });
  for await (const doc of cursor) {
    try {
      ids.add(legacyIdOf(doc._id));
    } catch {
      // An `_id` no legacy id can name has no row either.
    }
  }
  const { rows } = await client.query<{ id: string }>(
    `SELECT legacy_object_id AS id FROM pg_dualwrite_gaps WHERE collection = $1 AND status IN ('open', 'dead')`,
    [collection],
  );
  for (const row of rows) ids.add(row.id);
  return ids;
}
