import type { Job, Queue } from 'bullmq';
import type { DrainOptionsInput } from '../../gaps/options.js';
import type { QueueName } from '../../queue/names.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { deploymentTag, type Deployment } from '../../workers/identity.js';
import type { JobDefinition } from '../define.js';
import { stamp } from '../envelope.js';
import { gapDrainJob } from './drain.js';

export interface GapDrainSchedule {
  /** Interval between drains. @defaultValue 5000 */
  everyMs?: number;
  /** Drain options carried by every scheduled job (src/gaps/options.ts has the defaults). */
  drain?: DrainOptionsInput;
}

/** The scheduler's id: one per deployment, so two deployments sharing a Redis and prefix never share it. */
export function gapDrainSchedulerId(deployment: Deployment): string {
  return `gaps-drain-${deploymentTag(deployment)}`;
}

/**
 * Creates or updates the job scheduler that drains the gaps (BullMQ 6: `upsertJobScheduler`, `repeat`
 * is gone). Idempotent: every worker that serves the gaps queue calls it on start, and the last call's
 * options win. The jobs carry the deployment like every other job, so only this deployment's workers
 * drain this deployment's gaps.
 */
export async function ensureGapDrainScheduler(
  queue: Queue,
  deployment: Deployment,
  schedule: GapDrainSchedule = {},
): Promise<Job> {
  const { everyMs = 5_000, drain = {} } = schedule;
  return queue.upsertJobScheduler(
    gapDrainSchedulerId(deployment),
    { every: everyMs },
    {
      name: gapDrainJob.name,
      data: stamp(deployment, drain),
      opts: {
        attempts: 1,
        removeOnComplete: { count: 100 },
        removeOnFail: { count: 500 },
      },
    },
  );
}

export async function removeGapDrainScheduler(queue: Queue, deployment: Deployment): Promise<boolean> {
  return queue.removeJobScheduler(gapDrainSchedulerId(deployment));
}

/**
 * For the worker runtime on start: ensures the drain scheduler when this runtime consumes the gaps
 * queue AND serves the drain job (a runtime given other jobs, as tests do, must not schedule drains
 * nobody there can run). Never rejects: a Redis hiccup is logged, and the next worker start retries.
 */
export async function scheduleGapDrains(
  deps: Pick<WorkerDeps, 'queues' | 'deployment' | 'log'>,
  served: { queues: readonly QueueName[]; jobs: readonly JobDefinition[] },
  schedule: GapDrainSchedule = {},
): Promise<void> {
  if (!served.queues.includes('gaps') || !served.jobs.some((j) => j.name === gapDrainJob.name)) return;
  try {
    await ensureGapDrainScheduler(deps.queues.gaps, deps.deployment, schedule);
  } catch (error) {
    deps.log.error({ err: error }, 'gaps: cannot schedule the drain; gaps wait for the next worker start');
  }
}
