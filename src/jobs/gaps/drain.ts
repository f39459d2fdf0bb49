import { drainGaps, type DrainResult } from '../../gaps/drain.js';
import { drainOptionsSchema } from '../../gaps/options.js';
import { defineJob } from '../define.js';

/**
 * One drain of the forward dual-write gaps (src/gaps/drain.ts), enqueued by the job scheduler of
 * src/jobs/gaps/schedule.ts. The scheduler adds its next run as this one starts, so while a backlog
 * outlasts the interval, drains on several workers overlap and share it (SKIP LOCKED claims); once it
 * is gone each run is one empty claim. A failed run is not retried: the next scheduled one is the retry.
 */
export const gapDrainJob = defineJob({
  name: 'gaps.drain',
  queue: 'gaps',
  payload: drainOptionsSchema,
  async process(options, deps): Promise<DrainResult> {
    const log = deps.log.child({ job: 'gaps.drain' });
    const result = await drainGaps({ pool: deps.db.$client, mongo: deps.mongo, log }, options);
    if (result.claimed > 0 || result.moved > 0) log.info(result, 'gaps drained');
    return result;
  },
});
