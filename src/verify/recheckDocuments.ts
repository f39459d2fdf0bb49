import type { Db as MongoDb, Document } from 'mongodb';
import type pg from 'pg';
import { inTransaction } from '../backfill/runState.js';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { REGISTRY } from '../collections/registry.js';
import type { LegacyDoc } from '../collections/spec.js';
import { lockDocuments } from '../sync/locks.js';
import { compareDocuments } from './compareDocuments.js';
import { VerifyError } from './errors.js';
import type { Mismatch } from './types.js';

/**
 * The same comparison for a few documents by `_id` (the recheck after the lag window, and after a
 * repair). Both stores are read under the documents' advisory locks (src/sync/locks.ts), which every
 * sync holds from its MongoDB read to its commit: a sync in flight is waited for, never seen half-done.
 */
export async function recheckDocuments(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
  ids: readonly unknown[],
): Promise<Mismatch[]> {
  const spec = REGISTRY.get(collection);
  if (ids.length === 0) return [];
  try {
    return await inTransaction(pool, async (client) => {
      await lockDocuments(client, collection, ids);
      const docs = (await mongo
        .collection<Document>(collection)
        .find({ _id: { $in: [...ids] } } as Document)
        .toArray()) as LegacyDoc[];
      const storedIds = ids.flatMap((id) => {
        try {
          return [legacyIdOf(id)];
        } catch {
          return []; // an `_id` no row can be keyed by: only its document (a reject) is compared
        }
      });
      return (await compareDocuments(client, spec, docs, storedIds)).mismatches;
    });
  } catch (error) {
    throw new VerifyError(collection, `recheck of ${ids.length} document(s)`, error);
  }
}
