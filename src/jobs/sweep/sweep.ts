import { sweepBothWays, type SweepRoundResult } from '../../sweep/round.js';
import { sweepOptionsSchema } from '../../sweep/options.js';
import { defineJob } from '../define.js';

/**
 * One sweep round, both directions (src/sweep/round.ts): the delta sweep of the `dual` collections and
 * the reverse sweep of the `pg` ones, enqueued by the job scheduler of src/jobs/sweep/schedule.ts. The
 * job keeps its name (`sweep.delta`) so schedulers already stored in Redis run the new round. Rounds
 * that overlap (one outlasting the interval while another worker takes the next) skip the collections
 * the other is sweeping. A collection that failed, in either direction, keeps its checkpoint and fails
 * the job, so the board shows it; the next scheduled round is the retry.
 */
export const deltaSweepJob = defineJob({
  name: 'sweep.delta',
  queue: 'sweep',
  payload: sweepOptionsSchema,
  async process(options, deps): Promise<SweepRoundResult> {
    const log = deps.log.child({ job: 'sweep.delta' });
    const result = await sweepBothWays({ pool: deps.db.$client, mongo: deps.mongo, log }, options);
    const failed = [...result.collections, ...result.reverse.collections].filter(
      (c) => c.status === 'failed',
    );
    if (failed.length > 0) {
      throw new Error(
        `sweep failed for ${failed
          .map((c) => `${c.collection} ${c.direction} (${c.error ?? 'unknown error'})`)
          .join(', ')}`,
      );
    }
    if (result.scanned > 0 || result.reverse.scanned > 0) {
      const { collections: _, reverse, ...forward } = result;
      const { collections: __, ...backward } = reverse;
      log.info({ forward, reverse: backward }, 'sweep round done');
    }
    return result;
  },
});
