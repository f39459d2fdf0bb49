import { z } from 'zod';
import { startVerification } from '../../verify/run/start.js';
import { collectionBeingVerified } from '../../verify/run/store.js';
import { defineJob } from '../define.js';

/**
 * A scheduler's tick for one collection (src/jobs/verify/schedule.ts): starts a verification run of it
 * unless one is still going, so a slow verification never piles up behind itself.
 */
export const scheduledVerificationJob = defineJob({
  name: 'verify.scheduled',
  queue: 'verify',
  payload: z.strictObject({ collection: z.string(), lagMs: z.int().nonnegative().optional() }),
  async process({ collection, lagMs }, deps) {
    const pool = deps.db.$client;
    if (await collectionBeingVerified(pool, collection)) return { collection, skipped: 'still running' };
    const { runId } = await startVerification(
      { pool, queue: deps.queues.verify, deployment: deps.deployment },
      { collections: [collection], requestedBy: 'scheduler', lagMs: lagMs ?? deps.config.VERIFY_LAG_MS },
    );
    return { collection, runId };
  },
});
