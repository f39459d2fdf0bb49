import { UnrecoverableError, type Job } from 'bullmq';
import type { WorkerDeps } from '../workers/deps.js';
import { failCollection } from './runState.js';
import { promoteCollections } from './promote.js';

/**
 * Runs a job step; when it throws on the job's last attempt, records the collection as failed (and its
 * dependants as blocked) before BullMQ fails the job and, through failParentOnFailure, the run.
 */
export async function failWhenExhausted<T>(
  deps: WorkerDeps,
  job: Job,
  runId: string,
  collection: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const attempts = job.opts.attempts ?? 1;
    if (error instanceof UnrecoverableError || job.attemptsMade + 1 >= attempts) {
      const message = error instanceof Error ? error.message : String(error);
      const blocked = await failCollection(deps.db.$client, runId, collection, message).catch(() => []);
      // Blocked jobs are released only so that each fails visibly on the board with its reason.
      await promoteCollections(deps.queues.backfill, runId, blocked).catch(() => undefined);
    }
    throw error;
  }
}
