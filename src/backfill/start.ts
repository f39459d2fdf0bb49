import { Job } from 'bullmq';
import type { FlowJob } from 'bullmq';
import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { stamp } from '../jobs/envelope.js';
import { runLiveness } from '../queue/runLiveness.js';
import type { WorkerDeps } from '../workers/deps.js';
import { deploymentSchema, sameDeployment } from '../workers/identity.js';
import { PARKED_DELAY_MS, collectionJobId, runJobId } from './jobIds.js';
import { promoteReleased } from './promote.js';
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

/** The root job only marks the run completed; a Postgres blip must not fail the whole run. */
const RUN_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/** A collection is copied by one run at a time: a second run is refused while the first is live. */
export class RunConflictError extends Error {
  override readonly name = 'RunConflictError';
  constructor(readonly conflicts: readonly { runId: string; collection: string }[]) {
    const byRun = new Map<string, string[]>();
    for (const { runId, collection } of conflicts)
      byRun.set(runId, [...(byRun.get(runId) ?? []), collection]);
    super(
      [...byRun]
        .map(([runId, names]) => `backfill run ${runId} is still copying ${names.join(', ')}`)
        .join('; ') +
        ': wait for it to end (strangler status, GET /api/backfills/<id>) before starting another',
    );
  }
  /** The live run in the way (the first, when several are). */
  get runId(): string {
    return this.conflicts[0]!.runId;
  }
}

/** Serialises run creation across every process: the check below and the insert are one step. */
const START_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('strangler.backfill.start'))`;

async function liveConflicts(
  client: pg.ClientBase,
  collections: readonly string[],
): Promise<{ runId: string; collection: string }[]> {
  // A collection a running run has completed is no longer being copied by it.
  const { rows } = await client.query<{ run_id: string; collection: string }>(
    `SELECT rc.run_id, rc.collection FROM backfill_run_collections rc JOIN backfill_runs r ON r.id = rc.run_id
      WHERE r.status = 'running' AND rc.status <> 'completed' AND rc.collection = ANY($1::text[])
      ORDER BY r.created_at, rc.collection`,
    [collections],
  );
  return rows.map((r) => ({ runId: r.run_id, collection: r.collection }));
}

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
    // Under the lock, two starts on one collection cannot both see it free (READ COMMITTED: the second
    // one's check runs after the first one committed its rows).
    await client.query(START_LOCK_SQL);
    const conflicts = await liveConflicts(client, collections);
    if (conflicts.length > 0) throw new RunConflictError(conflicts);
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
    data: stamp(deps.deployment, { runId, collection }),
    opts: {
      ...COLLECTION_JOB_OPTIONS,
      jobId: collectionJobId(runId, collection),
      ...(status === 'parked' ? { delay: PARKED_DELAY_MS } : {}),
    },
  }));
  await deps.flows.add({
    name: 'backfill.run',
    queueName: 'backfill',
    data: stamp(deps.deployment, { runId }),
    opts: { ...RUN_JOB_OPTIONS, jobId: runJobId(runId) },
    children,
  });
}

/**
 * Brings back the runs still marked running that cannot move on their own, from their Postgres state:
 *   - Redis no longer has the root job (restarted without persistence): the flow is re-added;
 *   - collections released in Postgres but still parked in BullMQ (a worker died between completing a
 *     parent and promoting it): they are promoted;
 *   - nothing of the run is live any more although the root is there (Redis lost some of its keys): the
 *     stale flow is removed and re-added.
 * Finished chunks are not redone: their rows say `done`. Jobs that another deployment enqueued under the
 * same ids are left alone. Returns the runs whose flow was re-added.
 */
export async function resumeInterruptedRuns(deps: WorkerDeps): Promise<string[]> {
  const { rows } = await deps.db.$client.query<{ id: string }>(
    `SELECT id FROM backfill_runs WHERE status = 'running'`,
  );
  const resumed: string[] = [];
  for (const { id } of rows) {
    const root = await Job.fromId(deps.queues.backfill, runJobId(id));
    if (root) {
      const owner = deploymentSchema.safeParse((root.data as { deployment?: unknown }).deployment);
      if (!owner.success || !sameDeployment(owner.data, deps.deployment)) continue;
      await promoteReleased(deps.db.$client, deps.queues.backfill, deps.deployment, id);
      if (!(await nothingLive(deps, id))) continue;
      // Nothing of it is active, so nothing is locked and the whole tree goes; if a worker took one of
      // its jobs meanwhile, removal fails and the run is left as it is.
      const removed = await root.remove().then(
        () => true,
        (error: unknown) => {
          deps.log.warn({ runId: id, err: String(error) }, 'could not rebuild a stuck run; left as it is');
          return false;
        },
      );
      if (!removed) continue;
    }
    await addRunFlow(deps, id);
    resumed.push(id);
  }
  return resumed;
}

/** runLiveness reads one state at a time, so a job on the move can be missed: ask twice, apart. */
async function nothingLive(deps: WorkerDeps, runId: string): Promise<boolean> {
  if ((await runLiveness(deps.queues.backfill, runId)).live > 0) return false;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return (await runLiveness(deps.queues.backfill, runId)).live === 0;
}
