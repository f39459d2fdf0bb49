import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { deltaFilter } from '../../backfill/copyChunk.js';
import { REGISTRY } from '../../collections/registry.js';
import { syncDocuments } from '../../sync/syncDocuments.js';

const BATCH = 1_000;

/**
 * Brings what the traffic wrote while its collections were in `mongo` mode into Postgres (untimed),
 * parents first, through the one sync operation, as a `backfill --since` would: without it the next
 * dual slice would follow writes on documents Postgres never saw (orphans, rejects), which is not the
 * steady state dual mode runs in. Returns the documents synced.
 */
export async function catchUpSince(pool: pg.Pool, mongo: MongoDb, since: Date): Promise<number> {
  let synced = 0;
  for (const collection of REGISTRY.order) {
    const ids = (
      await mongo
        .collection(collection)
        .find(deltaFilter(since), { projection: { _id: 1 } })
        .toArray()
    ).map((doc) => doc._id as unknown);
    for (let i = 0; i < ids.length; i += BATCH) {
      const outcome = await syncDocuments(pool, mongo, collection, ids.slice(i, i + BATCH));
      synced += outcome.documents;
    }
  }
  return synced;
}
