import { inTransaction } from '../backfill/runState.js';
import { asLegacyId } from '../db/ids.js';
import { deleteFallbackRecords, readFallbackRecords } from './fallbackStore.js';
import type { GapStores } from './record.js';
import { upsertOpenGap } from './sql/upsertOpenGap.js';

export interface MoveOptions {
  /** Records per Postgres transaction. @defaultValue 500 */
  batchSize?: number;
  /** Batches per call, so a store refilled as fast as it drains cannot keep one caller forever. @defaultValue 20 */
  maxBatches?: number;
}

/**
 * Moves the gaps recorded in the fallback store (Postgres was unreachable) into `pg_dualwrite_gaps`.
 *
 * Safe from any number of workers at once and after any crash: a batch of records becomes open gaps in
 * one committed transaction BEFORE any of them leaves MongoDB, and each is deleted only if no newer
 * failure rewrote it meanwhile (its `seq`). Two movers of the same record both upsert the one open gap
 * of its document (idempotent) and one of them deletes the record; a crash between commit and delete
 * moves it again next time, which only refreshes the open gap. A gap keeps the time of the first
 * failure, so its age counts from when Postgres missed the write, not from when it came back.
 */
export async function moveFallbackIntoGaps(stores: GapStores, options: MoveOptions = {}): Promise<number> {
  const { batchSize = 500, maxBatches = 20 } = options;
  let moved = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const records = await readFallbackRecords(stores.mongo, batchSize);
    if (records.length === 0) break;
    await inTransaction(stores.pool, async (client) => {
      for (const record of records) {
        await upsertOpenGap(client, {
          collection: record.collection,
          legacyId: asLegacyId(record.legacyId),
          idJson: record.idJson,
          op: record.op,
          direction: record.direction,
          lastError: record.lastError,
          firstSeenAt: record.firstSeenAt,
        });
      }
    });
    moved += await deleteFallbackRecords(stores.mongo, records);
    if (records.length < batchSize) break;
  }
  return moved;
}
