import { Job, QueueEvents } from 'bullmq';
import { recordJobFailure } from '../backfill/failure.js';
import type { WorkerDeps } from './deps.js';

export interface FailureWatch {
  /** Resolves once connected: global events from before are not seen (the workers' own still are). */
  ready(): Promise<void>;
  /** For a Worker's own 'failed' event, which fires on every failed attempt: records the final one. */
  workerFailed(job: Job | undefined, error: Error): void;
  close(): Promise<void>;
}

/**
 * Records each final failure of this deployment's backfill jobs in Postgres (src/backfill/failure.ts),
 * wherever it happened. A worker's own 'failed' event covers what it failed itself, processor or not
 * (a payload refused in dispatch, a job it picked up after another stalled it past maxStalledCount).
 * The queue's global 'failed' events cover the rest: a job failed by another deployment's worker, which
 * does not know our database, or a parent failed inside Redis by failParentOnFailure. Every worker of
 * the deployment may record the same failure; that is idempotent.
 */
export function watchRunFailures(deps: WorkerDeps): FailureWatch {
  const log = deps.log.child({ component: 'failures' });
  const pending = new Set<Promise<void>>();
  const track = (jobId: string | undefined, work: () => Promise<void>) => {
    const handled = work()
      .catch((error: unknown) =>
        log.error(
          { jobId, err: error instanceof Error ? error.message : String(error) },
          'could not record a job failure',
        ),
      )
      .finally(() => pending.delete(handled));
    pending.add(handled);
  };
  const record = async (job: Job, reason: string) => {
    if (await recordJobFailure(deps, job, reason)) {
      log.warn({ jobId: job.id, job: job.name, reason }, 'backfill job failed for good; run marked failed');
    }
  };

  // BullMQ duplicates a connection it is given for its blocking reads, and closes its duplicate.
  const events = new QueueEvents('backfill', {
    connection: deps.workerRedis,
    prefix: deps.config.QUEUE_PREFIX,
  });
  events.on('error', (error) => log.error({ err: error.message }, 'failure listener error'));
  events.on('failed', ({ jobId, failedReason }) =>
    track(jobId, async () => {
      const job = await Job.fromId(deps.queues.backfill, jobId);
      if (job) await record(job, failedReason);
    }),
  );

  return {
    ready: () => events.waitUntilReady().then(() => undefined),
    workerFailed(job, error) {
      if (!job) return;
      track(job.id, async () => {
        // Also fired for an attempt that will be retried: only a job now in the failed set is final.
        if (await job.isFailed()) await record(job, error.message);
      });
    },
    async close() {
      await events.close();
      await Promise.allSettled([...pending]);
    },
  };
}
