import type { Queue } from 'bullmq';
import { REGISTRY } from '../../collections/registry.js';
import type { QueueName } from '../../queue/names.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { deploymentTag, type Deployment } from '../../workers/identity.js';
import type { JobDefinition } from '../define.js';
import { stamp } from '../envelope.js';
import { scheduledVerificationJob } from './scheduled.js';

export interface VerifySchedule {
  /** Interval between verifications of each collection; 0 removes the schedulers. @defaultValue 0 (VERIFY_EVERY_MS) */
  everyMs?: number;
  /** Lag window of the scheduled runs. @defaultValue 5000 (VERIFY_LAG_MS) */
  lagMs?: number;
}

/** One scheduler per collection and deployment: two deployments sharing a Redis never share one. */
export function verifySchedulerId(deployment: Deployment, collection: string): string {
  return `verify-${collection}-${deploymentTag(deployment)}`;
}

/**
 * Creates or updates one job scheduler per collection (BullMQ 6 `upsertJobScheduler`), or removes them
 * all when `everyMs` is 0. Idempotent: every worker serving the verify queue calls it on start.
 */
export async function ensureVerifySchedulers(
  queue: Queue,
  deployment: Deployment,
  schedule: VerifySchedule = {},
): Promise<void> {
  const { everyMs = 0, lagMs } = schedule;
  for (const collection of REGISTRY.order) {
    const id = verifySchedulerId(deployment, collection);
    if (everyMs === 0) {
      await queue.removeJobScheduler(id);
      continue;
    }
    await queue.upsertJobScheduler(
      id,
      { every: everyMs },
      {
        name: scheduledVerificationJob.name,
        data: stamp(deployment, { collection, ...(lagMs === undefined ? {} : { lagMs }) }),
        opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } },
      },
    );
  }
}

/**
 * For the worker runtime on start: sets the schedulers up when this runtime consumes the verify queue
 * AND serves the scheduled job. Never rejects: a Redis hiccup is logged, the next worker start retries.
 */
export async function scheduleVerifications(
  deps: Pick<WorkerDeps, 'queues' | 'deployment' | 'log'>,
  served: { queues: readonly QueueName[]; jobs: readonly JobDefinition[] },
  schedule: VerifySchedule = {},
): Promise<void> {
  if (!served.queues.includes('verify') || !served.jobs.some((j) => j.name === scheduledVerificationJob.name))
    return;
  try {
    await ensureVerifySchedulers(deps.queues.verify, deps.deployment, schedule);
  } catch (error) {
    deps.log.error({ err: error }, 'verify: cannot set up the verification schedulers');
  }
}
