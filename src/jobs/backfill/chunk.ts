import { hostname } from 'node:os';
import { z } from 'zod';
import { REGISTRY } from '../../collections/registry.js';
import { copyChunk, type ChunkCounts } from '../../backfill/copyChunk.js';
import { decodeBound, ID_TYPE_BRACKETS } from '../../backfill/ranges.js';
import { inTransaction } from '../../backfill/runState.js';
import { failWhenExhausted } from '../../backfill/failure.js';
import { defineJob } from '../define.js';

/**
 * One `_id` range of one collection, copied in ONE Postgres transaction: a worker killed mid-chunk
 * leaves nothing half-written, and BullMQ hands the chunk to another worker. The chunk row is locked
 * first, so a chunk run twice at once (a stalled job re-queued while its first worker still runs)
 * is copied once.
 */
export const chunkJob = defineJob({
  name: 'backfill.chunk',
  queue: 'backfill',
  payload: z.strictObject({ runId: z.uuid(), collection: z.string(), chunkNo: z.int().nonnegative() }),
  async process({ runId, collection, chunkNo }, deps, job): Promise<ChunkCounts> {
    const spec = REGISTRY.get(collection);
    const pool = deps.db.$client;
    const worker = `${hostname()}:${process.pid}`;
    await pool.query(
      `UPDATE backfill_chunks SET started_at = COALESCE(started_at, now()), attempts = attempts + 1, worker = $4
        WHERE run_id = $1 AND collection = $2 AND chunk_no = $3`,
      [runId, collection, chunkNo, worker],
    );
    return failWhenExhausted(deps, job, runId, collection, () =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query(
          `SELECT c.status, c.id_type, c.lo, c.hi, c.docs_read, c.docs_written, c.docs_rejected, r.since
             FROM backfill_chunks c JOIN backfill_runs r ON r.id = c.run_id
            WHERE c.run_id = $1 AND c.collection = $2 AND c.chunk_no = $3 FOR UPDATE OF c`,
          [runId, collection, chunkNo],
        );
        const chunk = rows[0];
        if (!chunk) throw new Error(`chunk ${collection}#${chunkNo} of run ${runId} was never planned`);
        if (chunk.status === 'done') {
          return { read: chunk.docs_read, written: chunk.docs_written, rejected: chunk.docs_rejected };
        }
        const type = z.enum(ID_TYPE_BRACKETS).parse(chunk.id_type);
        const started = Date.now();
        const counts = await copyChunk(client, deps.mongo, spec, {
          runId,
          range: { type, lo: decodeBound(chunk.lo), hi: decodeBound(chunk.hi) },
          since: chunk.since,
        });
        await client.query(
          `UPDATE backfill_chunks SET status = 'done', docs_read = $4, docs_written = $5, docs_rejected = $6,
                  finished_at = clock_timestamp(), duration_ms = $7, worker = $8
            WHERE run_id = $1 AND collection = $2 AND chunk_no = $3`,
          [
            runId,
            collection,
            chunkNo,
            counts.read,
            counts.written,
            counts.rejected,
            Date.now() - started,
            worker,
          ],
        );
        return counts;
      }),
    );
  },
});
