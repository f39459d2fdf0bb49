import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { copyChunk } from '../backfill/copyChunk.js';
import { bracketOf } from '../backfill/plan.js';
import { ID_TYPE_BRACKETS } from '../backfill/ranges.js';
import { inTransaction } from '../backfill/runState.js';
import { linkDocuments } from '../backfill/link.js';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { lockDocuments } from './locks.js';

export interface SyncOutcome {
  /** Documents asked for. */
  documents: number;
  /** In Postgres now as MongoDB has them (inserted, updated, or already identical). */
  migrated: number;
  /** Rejected (or still rejected), with their reason. */
  rejected: number;
  /** No longer in MongoDB: their rows removed or tombstoned, their rejects closed. */
  departed: number;
}

/**
 * The one operation of the live half (../shared/DESIGN.md "Dual-write"): bring these documents of one
 * collection into Postgres as MongoDB has them NOW. A backfill chunk is this operation over a range; a
 * retried reject, a dual write, a gap drain and a repair are it over a few ids.
 *
 * In ONE transaction: take a per-document advisory lock on each id (sorted, so two syncs never
 * deadlock), THEN read the documents from MongoDB and write them through the backfill's chunk path
 * (mapping, references, child rows, rejects, deletes, the read-time guard). Whichever sync of a document
 * takes its lock last reads a state at least as new as every write acknowledged before it began, so
 * concurrent writers cannot leave an older version behind, whatever the documents' `updatedAt`.
 */
export async function syncDocuments(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
  ids: readonly unknown[],
): Promise<SyncOutcome> {
  const spec = REGISTRY.get(collection);
  const outcome: SyncOutcome = { documents: ids.length, migrated: 0, rejected: 0, departed: 0 };
  if (ids.length === 0) return outcome;
  await inTransaction(pool, async (client) => {
    await lockDocuments(client, collection, ids);
    // One pass per `_id` type bracket: a chunk's filter is typed, as MongoDB compares within a type.
    for (const type of ID_TYPE_BRACKETS) {
      const ofType = ids.filter((id) => (bracketOf(id) ?? 'other') === type);
      if (ofType.length === 0) continue;
      const counts = await copyChunk(client, mongo, spec, {
        runId: null,
        range: { type, lo: null, hi: null },
        since: null,
        onlyIds: ofType,
      });
      outcome.migrated += counts.written;
      outcome.rejected += counts.rejected;
      outcome.departed += counts.departed;
    }
    // The write cleared the documents' deferred links (self references, a cycle's back edge) and may
    // be the parent other rows were waiting for: both are linked now, in the same transaction, so no
    // caller sees a row without its links.
    const legacyIds = ids.flatMap((id) => (bracketOf(id) ? [legacyIdOf(id)] : []));
    await linkDocuments(client, collection, legacyIds);
    await spec.afterSync?.(client, legacyIds);
  });
  return outcome;
}
