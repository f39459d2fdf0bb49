import { sweepCollections, type SweepResult } from '../../sweep/deltaSweep.js';
import { sweepOptionsSchema } from '../../sweep/options.js';
import { defineJob } from '../define.js';

/**
 * One delta sweep round (src/sweep/deltaSweep.ts), enqueued by the job scheduler of
 * src/jobs/sweep/schedule.ts. Rounds that overlap (one outlasting the interval while another worker
 * takes the next) skip the collections the other is sweeping. A collection that failed keeps its
 * checkpoint and fails the job, so the board shows it; the next scheduled round is the retry.
 */
export const deltaSweepJob = defineJob({
  name: 'sweep.delta',
  queue: 'sweep',
  payload: sweepOptionsSchema,
  async process(options, deps): Promise<SweepResult> {
    const log = deps.log.child({ job: 'sweep.delta' });
    const result = await sweepCollections({ pool: deps.db.$client, mongo: deps.mongo, log }, options);
    const failed = result.collections.filter((c) => c.status === 'failed');
    if (failed.length > 0) {
      throw new Error(
        `sweep failed for ${failed.map((c) => `${c.collection} (${c.error ?? 'unknown error'})`).join(', ')}`,
      );
    }
    if (result.scanned > 0) {
      const { collections: _, ...totals } = result;
      log.info(totals, 'sweep round done');
    }
    return result;
  },
});
