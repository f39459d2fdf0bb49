import { Job } from 'bullmq';
import type { FlowJob } from 'bullmq';
import { REGISTRY } from '../collections/registry.js';
import type { WorkerDeps } from '../workers/deps.js';
import { PARKED_DELAY_MS, collectionJobId, runJobId } from './jobIds.js';
import { inTransaction } from './runState.js';
import type { StartBackfillOptions } from './types.js';

export const DEFAULT_CHUNK_SIZE = 2000;

const COLLECTION_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  failParentOnFailure: true,
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/**
 * Records a run in Postgres and adds its flow: a root `backfill.run` whose children are one
 * `backfill.collection` job per collection. A collection with parents in the run starts parked and is
 * promoted by its last parent's completion (src/backfill/runState.ts).
 */
export async function startBackfill(
  deps: WorkerDeps,
  options: StartBackfillOptions,
): Promise<{ runId: string }> {
  const collections = REGISTRY.select(options.collections);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const runId = await inTransaction(deps.db.$client, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO backfill_runs (collections, since, chunk_size) VALUES ($1, $2, $3) RETURNING id`,
      [collections, options.since ?? null, chunkSize],
    );
    const id = rows[0]!.id;
    for (const collection of collections) {
      const waitingOn = [...(REGISTRY.graph.parents.get(collection) ?? [])].filter((p) =>
        collections.includes(p),
      ).length;
      await client.query(
        `INSERT INTO backfill_run_collections (run_id, collection, status, waiting_on) VALUES ($1, $2, $3, $4)`,
        [id, collection, waitingOn === 0 ? 'queued' : 'parked', waitingOn],
      );
    }
    return id;
  });
  await addRunFlow(deps, runId);
  return { runId };
}

/**
 * Adds (or re-adds) the flow of a run from its Postgres state; collections already completed are left
 * out. Job ids are deterministic, so this is how a run survives a Redis that lost everything.
 */
export async function addRunFlow(deps: WorkerDeps, runId: string): Promise<void> {
  const { rows } = await deps.db.$client.query<{ collection: string; status: string }>(
    `SELECT collection, status FROM backfill_run_collections WHERE run_id = $1 AND status <> 'completed'`,
    [runId],
  );
  const children: FlowJob[] = rows.map(({ collection, status }) => ({
    name: 'backfill.collection',
    queueName: 'backfill',
    data: { runId, collection },
    opts: {
      ...COLLECTION_JOB_OPTIONS,
      jobId: collectionJobId(runId, collection),
      ...(status === 'parked' ? { delay: PARKED_DELAY_MS } : {}),
    },
  }));
  await deps.flows.add({
    name: 'backfill.run',
    queueName: 'backfill',
    data: { runId },
    opts: { jobId: runJobId(runId), removeOnComplete: { age: 7 * 24 * 3600 } },
    children,
  });
}

/**
 * Re-adds the flows of runs still marked running whose root job Redis no longer has (a Redis restart
 * without persistence). Finished chunks are not redone: their rows say `done`.
 */
export async function resumeInterruptedRuns(deps: WorkerDeps): Promise<string[]> {
  const { rows } = await deps.db.$client.query<{ id: string }>(
    `SELECT id FROM backfill_runs WHERE status = 'running'`,
  );
  const resumed: string[] = [];
  for (const { id } of rows) {
    if (await Job.fromId(deps.queues.backfill, runJobId(id))) continue;
    await addRunFlow(deps, id);
    resumed.push(id);
  }
  return resumed;
}
