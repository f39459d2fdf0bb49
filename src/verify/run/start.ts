import type { Queue } from 'bullmq';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import { inTransaction } from '../../backfill/runState.js';
import { stamp } from '../../jobs/envelope.js';
import type { Deployment } from '../../workers/identity.js';
import { collectionJobId } from './jobIds.js';
import { VERIFY_DEFAULTS, type VerifyRunOptions } from './options.js';
import { insertRun } from './store.js';

/** The few connections starting a run needs (not the worker's whole bag). */
export interface StartDeps {
  readonly pool: pg.Pool;
  readonly queue: Queue;
  readonly deployment: Deployment;
}

/** A collection job sleeps through its lag windows, so a retry redoes little: the ranges are done. */
export const COLLECTION_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/**
 * Records a run (one result per collection, `running`) and queues one `verify.collection` job per
 * collection on the verify queue; each fans its `_id` ranges out to the workers. Returns the run id.
 */
export async function startVerification(
  deps: StartDeps,
  options: VerifyRunOptions,
): Promise<{ runId: string; collections: string[] }> {
  const collections = REGISTRY.select(options.collections ?? 'all');
  const lagMs = options.lagMs ?? VERIFY_DEFAULTS.lagMs;
  const rangeSize = options.rangeSize ?? VERIFY_DEFAULTS.rangeSize;
  const { runId } = await inTransaction(deps.pool, (client) =>
    insertRun(client, { collections, repair: options.repair ?? false, requestedBy: options.requestedBy }),
  );
  await deps.queue.addBulk(
    collections.map((collection) => ({
      name: 'verify.collection',
      data: stamp(deps.deployment, { runId, collection, lagMs, rangeSize }),
      opts: { ...COLLECTION_JOB_OPTIONS, jobId: collectionJobId(runId, collection) },
    })),
  );
  return { runId, collections: [...collections] };
}
