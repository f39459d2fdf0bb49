import type { Job, Queue } from 'bullmq';
import type { QueueName } from '../../queue/names.js';
import type { SweepOptionsInput } from '../../sweep/options.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { deploymentTag, type Deployment } from '../../workers/identity.js';
import type { JobDefinition } from '../define.js';
import { stamp } from '../envelope.js';
import { deltaSweepJob } from './sweep.js';

export interface SweepSchedule {
  /** Interval between sweep rounds; 0 removes the scheduler. @defaultValue 30000 (SWEEP_EVERY_MS) */
  everyMs?: number;
  /** Options carried by every scheduled round (src/sweep/options.ts has the defaults). */
  sweep?: SweepOptionsInput;
}

/** The scheduler's id: one per deployment, so two deployments sharing a Redis and prefix never share it. */
export function sweepSchedulerId(deployment: Deployment): string {
  return `sweep-delta-${deploymentTag(deployment)}`;
}

/**
 * Creates or updates the job scheduler of the delta sweep (BullMQ 6 `upsertJobScheduler`). Idempotent:
 * every worker serving the sweep queue calls it on start, and the last call's options win.
 */
export async function ensureSweepScheduler(
  queue: Queue,
  deployment: Deployment,
  schedule: SweepSchedule = {},
): Promise<Job> {
  const { everyMs = 30_000, sweep = {} } = schedule;
  return queue.upsertJobScheduler(
    sweepSchedulerId(deployment),
    { every: everyMs },
    {
      name: deltaSweepJob.name,
      data: stamp(deployment, sweep),
      opts: {
        attempts: 1,
        removeOnComplete: { count: 100 },
        removeOnFail: { count: 500 },
      },
    },
  );
}

export async function removeSweepScheduler(queue: Queue, deployment: Deployment): Promise<boolean> {
  return queue.removeJobScheduler(sweepSchedulerId(deployment));
}

/**
 * For the worker runtime on start: ensures the sweep scheduler when this runtime consumes the sweep
 * queue AND serves the sweep job (or removes it when `everyMs` is 0). Never rejects: a Redis hiccup is
 * logged, and the next worker start retries.
 */
export async function scheduleSweeps(
  deps: Pick<WorkerDeps, 'queues' | 'deployment' | 'log'>,
  served: { queues: readonly QueueName[]; jobs: readonly JobDefinition[] },
  schedule: SweepSchedule = {},
): Promise<void> {
  if (!served.queues.includes('sweep') || !served.jobs.some((j) => j.name === deltaSweepJob.name)) return;
  try {
    if (schedule.everyMs === 0) {
      await removeSweepScheduler(deps.queues.sweep, deps.deployment);
      deps.log.warn('sweep: SWEEP_EVERY_MS=0, the scheduled delta sweep is off');
      return;
    }
    await ensureSweepScheduler(deps.queues.sweep, deps.deployment, schedule);
  } catch (error) {
    deps.log.error(
      { err: error },
      'sweep: cannot schedule the delta sweep; it waits for the next worker start',
    );
  }
}
