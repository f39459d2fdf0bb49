import { UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { z } from 'zod';
import { planRanges } from '../../backfill/plan.js';
import { encodeBound } from '../../backfill/ranges.js';
import { completeCollection, inTransaction } from '../../backfill/runState.js';
import { chunkJobId } from '../../backfill/jobIds.js';
import { promoteReleased } from '../../backfill/promote.js';
import { failWhenExhausted } from '../../backfill/failure.js';
import { defineJob } from '../define.js';
import { stamp } from '../envelope.js';
import type { WorkerDeps } from '../../workers/deps.js';

/** Chunk jobs are added in batches: one giant flow.add of thousands of children is slow and fragile. */
const ADD_BATCH = 500;

export const CHUNK_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  // A chunk that fails for good fails its collection, and so its run: nothing waits forever.
  failParentOnFailure: true,
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * One collection of a run, in steps (BullMQ's waiting-children pattern):
 *   1. plan `_id` ranges once (persisted, so a resumed run reuses them) and add a chunk job per range
 *      not yet done, as children of this job; wait for them;
 *   2. when the children are done: apply deferred links, mark the collection completed and release the
 *      collections that were waiting on it.
 * Release is read from Postgres and done on every pass that finds the collection completed, including a
 * re-run after a worker died between committing the completion and promoting: promotion is idempotent.
 */
export const collectionJob = defineJob({
  name: 'backfill.collection',
  queue: 'backfill',
  payload: z.strictObject({ runId: z.uuid(), collection: z.string() }),
  async process({ runId, collection }, deps, job, token) {
    return failWhenExhausted(deps, job, runId, collection, async () => {
      const pool = deps.db.$client;
      const { rows } = await pool.query<{
        status: string;
        error: string | null;
        chunks_planned: number | null;
      }>(
        `SELECT status, error, chunks_planned FROM backfill_run_collections WHERE run_id = $1 AND collection = $2`,
        [runId, collection],
      );
      const state = rows[0];
      if (!state) throw new UnrecoverableError(`${collection} is not part of run ${runId}`);
      if (state.status === 'blocked' || state.status === 'failed') {
        throw new UnrecoverableError(state.error ?? `${collection} is ${state.status}`);
      }
      if (state.status === 'completed') {
        const released = await promoteReleased(pool, deps.queues.backfill, deps.deployment, runId);
        return { collection, status: 'completed', released };
      }
      if (state.chunks_planned === null) await plan(deps, runId, collection);

      const pending = await pendingChunks(deps, runId, collection);
      if (pending.length > 0) {
        for (let i = 0; i < pending.length; i += ADD_BATCH) {
          await deps.queues.backfill.addBulk(
            pending.slice(i, i + ADD_BATCH).map((chunkNo) => ({
              name: 'backfill.chunk',
              data: stamp(deps.deployment, { runId, collection, chunkNo }),
              opts: {
                ...CHUNK_JOB_OPTIONS,
                jobId: chunkJobId(runId, collection, chunkNo),
                parent: { id: job.id!, queue: job.queueQualifiedName },
              },
            })),
          );
        }
        if (await job.moveToWaitingChildren(token ?? '')) throw new WaitingChildrenError();
        // No child left pending in Redis (all finished meanwhile): re-check Postgres, the source of truth.
        if ((await pendingChunks(deps, runId, collection)).length > 0) {
          throw new Error(`${collection}: chunks still pending after their jobs finished; retrying`);
        }
      }
      await completeCollection(pool, runId, collection);
      const released = await promoteReleased(pool, deps.queues.backfill, deps.deployment, runId);
      return { collection, status: 'completed', released };
    });
  },
});

async function plan(deps: WorkerDeps, runId: string, collection: string): Promise<void> {
  const pool = deps.db.$client;
  const { rows } = await pool.query<{ chunk_size: number }>(
    `SELECT chunk_size FROM backfill_runs WHERE id = $1`,
    [runId],
  );
  await pool.query(
    `UPDATE backfill_run_collections SET status = 'planning', started_at = COALESCE(started_at, now())
      WHERE run_id = $1 AND collection = $2`,
    [runId, collection],
  );
  const ranges = await planRanges(deps.mongo, collection, rows[0]?.chunk_size ?? 2000);
  // Planned chunks and the planned count land together: a crash mid-planning leaves no partial plan.
  await inTransaction(pool, async (client) => {
    await client.query(`DELETE FROM backfill_chunks WHERE run_id = $1 AND collection = $2`, [
      runId,
      collection,
    ]);
    const json = JSON.stringify(
      ranges.map((range, chunkNo) => ({
        run_id: runId,
        collection,
        chunk_no: chunkNo,
        id_type: range.type,
        lo: encodeBound(range.lo),
        hi: encodeBound(range.hi),
      })),
    );
    await client.query(
      `INSERT INTO backfill_chunks (run_id, collection, chunk_no, id_type, lo, hi)
       SELECT run_id, collection, chunk_no, id_type, lo, hi FROM json_populate_recordset(NULL::backfill_chunks, $1::json)`,
      [json],
    );
    await client.query(
      `UPDATE backfill_run_collections SET status = 'copying', chunks_planned = $3 WHERE run_id = $1 AND collection = $2`,
      [runId, collection, ranges.length],
    );
  });
}

async function pendingChunks(deps: WorkerDeps, runId: string, collection: string): Promise<number[]> {
  const { rows } = await deps.db.$client.query<{ chunk_no: number }>(
    `SELECT chunk_no FROM backfill_chunks WHERE run_id = $1 AND collection = $2 AND status = 'pending' ORDER BY chunk_no`,
    [runId, collection],
  );
  return rows.map((r) => r.chunk_no);
}
