import { UnrecoverableError, WaitingChildrenError, type Job } from 'bullmq';
import { z } from 'zod';
import { planRanges } from '../../backfill/plan.js';
import { encodeBound } from '../../backfill/ranges.js';
import {
  addTotals,
  emptyTotals,
  failCollection,
  finishCollection,
  type RangeTotals,
} from '../../verify/run/finish.js';
import { rangeJobId } from '../../verify/run/jobIds.js';
import { readResult, setRangesPlanned } from '../../verify/run/store.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { defineJob } from '../define.js';
import { stamp } from '../envelope.js';

/** Range jobs are added in batches: one giant addBulk of thousands of children is slow and fragile. */
const ADD_BATCH = 500;

/**
 * A range that fails for good does not fail its parent through BullMQ (nothing would then record the
 * result): it is set aside as an ignored dependency, and the collection job, released all the same,
 * finds it with getIgnoredChildrenFailures and records the collection as failed, with the reason.
 */
export const RANGE_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  ignoreDependencyOnFailure: true,
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * One collection of a verification run, in two passes (BullMQ's waiting-children pattern):
 *   1. plan `_id` ranges with the backfill's planner, add one `verify.range` child per range, wait;
 *   2. once every range is done: recheck the mismatches after the lag window (generations), repair
 *      when the run asks, count both sides and check the money, record the result, close the run if it
 *      was the last.
 */
export const verifyCollectionJob = defineJob({
  name: 'verify.collection',
  queue: 'verify',
  payload: z.strictObject({
    runId: z.uuid(),
    collection: z.string(),
    lagMs: z.int().nonnegative(),
    rangeSize: z.int().positive(),
  }),
  async process({ runId, collection, lagMs, rangeSize }, deps, job, token) {
    const pool = deps.db.$client;
    const result = await readResult(pool, runId, collection);
    if (!result) throw new UnrecoverableError(`${collection} is not part of verification ${runId}`);
    if (result.status !== 'running') return { collection, status: result.status };
    try {
      if (result.rangesPlanned === null) {
        await addRanges(deps, job, { runId, collection, resultId: result.id, rangeSize });
      }
      if (await job.moveToWaitingChildren(token ?? '')) throw new WaitingChildrenError();
      const failures = Object.values(await job.getIgnoredChildrenFailures());
      if (failures.length > 0) {
        const error = `${failures.length} range job(s) failed: ${failures[0]}`;
        await failCollection(pool, runId, result.id, error);
        return { collection, status: 'failed', error };
      }
      const status = await finishCollection(pool, deps.mongo, {
        runId,
        resultId: result.id,
        collection,
        runCollections: result.collections,
        repair: result.repair,
        lagMs,
        totals: sumRanges(await job.getChildrenValues()),
      });
      return { collection, status };
    } catch (error) {
      if (error instanceof WaitingChildrenError) throw error;
      const attempts = job.opts.attempts ?? 1;
      if (error instanceof UnrecoverableError || job.attemptsMade + 1 >= attempts) {
        const message = error instanceof Error ? error.message : String(error);
        await failCollection(pool, runId, result.id, message).catch(() => undefined);
      }
      throw error;
    }
  },
});

/** Ranges are added before the count is recorded: a crash in between re-plans, re-adding by the same ids. */
async function addRanges(
  deps: WorkerDeps,
  job: Job,
  run: { runId: string; collection: string; resultId: number; rangeSize: number },
): Promise<void> {
  const ranges = await planRanges(deps.mongo, run.collection, run.rangeSize);
  const children = ranges.map((range, rangeNo) => ({
    name: 'verify.range',
    data: stamp(deps.deployment, {
      runId: run.runId,
      collection: run.collection,
      resultId: run.resultId,
      rangeNo,
      type: range.type,
      lo: encodeBound(range.lo),
      hi: encodeBound(range.hi),
    }),
    opts: {
      ...RANGE_JOB_OPTIONS,
      jobId: rangeJobId(run.runId, run.collection, rangeNo),
      parent: { id: job.id!, queue: job.queueQualifiedName },
    },
  }));
  for (let i = 0; i < children.length; i += ADD_BATCH) {
    await deps.queues.verify.addBulk(children.slice(i, i + ADD_BATCH));
  }
  await setRangesPlanned(deps.db.$client, run.resultId, ranges.length);
}

const rangeTallies = z.looseObject({
  compared: z.number().optional(),
  matched: z.number().optional(),
  accounted: z.looseObject({ rejected: z.number(), deleted: z.number(), gapOpen: z.number() }).optional(),
});

function sumRanges(values: Record<string, unknown>): RangeTotals {
  let totals = emptyTotals();
  for (const value of Object.values(values)) {
    const parsed = rangeTallies.safeParse(value);
    if (parsed.success) totals = addTotals(totals, parsed.data);
  }
  return totals;
}
