import { EJSON } from 'bson';
import { REGISTRY } from '../collections/registry.js';
import type { WorkerDeps } from '../workers/deps.js';
import { inTransaction } from './runState.js';
import { linkCollection } from './link.js';
import { syncDocuments } from '../sync/syncDocuments.js';

export interface RetryOptions {
  /** Only this collection's rejects. @defaultValue every collection, parents first */
  collection?: string;
  /** Only rejects with this reason code. */
  reason?: string;
  /** Documents per transaction. @defaultValue 1000 */
  batchSize?: number;
}

export interface RetryResult {
  documents: number;
  migrated: number;
  stillRejected: number;
  /** Rejected documents that no longer exist in MongoDB (deleted since): their rejects are closed as deleted. */
  missing: number;
}

/**
 * Re-reads rejected documents from MongoDB and syncs them (src/sync: the same chunk path as the backfill),
 * after the mapper or the data was fixed. A document that now maps settles its reject (resolved_at); one
 * that still fails refreshes its reason. Parents first, so fixed parents unblock their orphans.
 */
export async function retryRejects(deps: WorkerDeps, options: RetryOptions = {}): Promise<RetryResult> {
  const batchSize = options.batchSize ?? 1000;
  const collections = options.collection ? REGISTRY.select([options.collection]) : REGISTRY.order;
  const result: RetryResult = { documents: 0, migrated: 0, stillRejected: 0, missing: 0 };
  for (const collection of collections) {
    const { rows } = await deps.db.$client.query<{ id: unknown }>(
      `SELECT raw -> '_id' AS id FROM migration_rejects
        WHERE collection = $1 AND resolved_at IS NULL AND ($2::text IS NULL OR reason = $2) ORDER BY id`,
      [collection, options.reason ?? null],
    );
    // The raw copy is canonical EJSON, so the `_id` comes back with its exact BSON type.
    const ids = rows.map((r) => EJSON.deserialize({ v: r.id }, { relaxed: false }).v as unknown);
    for (let i = 0; i < ids.length; i += batchSize) {
      const batch = ids.slice(i, i + batchSize);
      const synced = await syncDocuments(deps.db.$client, deps.mongo, collection, batch);
      result.documents += synced.documents;
      result.migrated += synced.migrated;
      result.stillRejected += synced.rejected;
      result.missing += synced.departed;
    }
    // What the retry wrote gets its deferred links (and links pointing at it), as a run's completion would.
    if (ids.length > 0)
      await inTransaction(deps.db.$client, (client) => linkCollection(client, collection, null));
  }
  return result;
}
