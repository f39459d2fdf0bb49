import { drainGaps, type DrainResult } from '../../gaps/drain.js';
import { drainOptionsSchema } from '../../gaps/options.js';
import { drainReverseGaps, type ReverseDrainResult } from '../../mirror/drainReverse.js';
import { defineJob } from '../define.js';

/**
 * One drain of the dual-write gaps, enqueued by the job scheduler of src/jobs/gaps/schedule.ts: the
 * forward gaps (src/gaps/drain.ts, which also moves the fallback store in), then the reverse gaps of
 * pg mode (src/mirror/drainReverse.ts), with the same options. The scheduler adds its next run as this
 * one starts, so while a backlog outlasts the interval, drains on several workers overlap and share it
 * (SKIP LOCKED claims); once it is gone each run is two empty claims. A failed run is not retried: the
 * next scheduled one is the retry.
 */
export const gapDrainJob = defineJob({
  name: 'gaps.drain',
  queue: 'gaps',
  payload: drainOptionsSchema,
  async process(options, deps): Promise<DrainResult & { reverse: ReverseDrainResult }> {
    const log = deps.log.child({ job: 'gaps.drain' });
    const ctx = { pool: deps.db.$client, mongo: deps.mongo, log };
    const result = await drainGaps(ctx, options);
    if (result.claimed > 0 || result.moved > 0) log.info(result, 'gaps drained');
    const reverse = await drainReverseGaps(ctx, options);
    return { ...result, reverse };
  },
});
