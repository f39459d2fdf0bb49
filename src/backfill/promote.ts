import { Job, type Queue } from 'bullmq';
import type pg from 'pg';
import { deploymentSchema, sameDeployment, type Deployment } from '../workers/identity.js';
import { collectionJobId } from './jobIds.js';

/**
 * Releases parked collection jobs (delayed until promoted). Cross-collection order is a DAG, and BullMQ
 * flows are trees: the flow gives run → collection → chunk completion and failure propagation, and
 * promotion from the finishing parent gives the DAG's edges, with no polling anywhere.
 *
 * Idempotent: a job already promoted (or running, or gone) is left alone. Only jobs of `deployment` are
 * touched: a job with the same id enqueued by another deployment on a shared Redis is not ours to release.
 */
export async function promoteCollections(
  queue: Queue,
  deployment: Deployment,
  runId: string,
  collections: readonly string[],
): Promise<void> {
  for (const collection of collections) {
    const job = await Job.fromId(queue, collectionJobId(runId, collection));
    if (!job) continue;
    const owner = deploymentSchema.safeParse((job.data as { deployment?: unknown }).deployment);
    if (!owner.success || !sameDeployment(owner.data, deployment)) continue;
    if (await job.isDelayed()) await job.promote().catch(() => undefined);
  }
}

/**
 * Promotes every collection of the run that Postgres says is released (`queued`: its last parent
 * completed) but whose job may still be parked. Called on every pass that sees a collection completed,
 * not only by the pass that completed it: a worker that dies between committing the completion and
 * promoting would otherwise leave the dependants parked forever.
 */
export async function promoteReleased(
  pool: pg.Pool,
  queue: Queue,
  deployment: Deployment,
  runId: string,
): Promise<string[]> {
  const { rows } = await pool.query<{ collection: string }>(
    `SELECT collection FROM backfill_run_collections WHERE run_id = $1 AND status = 'queued'`,
    [runId],
  );
  const released = rows.map((r) => r.collection);
  await promoteCollections(queue, deployment, runId, released);
  return released;
}
