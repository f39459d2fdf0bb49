import { Job, type Queue } from 'bullmq';
import { collectionJobId } from './jobIds.js';

/**
 * Releases parked collection jobs (delayed until promoted). Cross-collection order is a DAG, and BullMQ
 * flows are trees: the flow gives run → collection → chunk completion and failure propagation, and
 * promotion from the finishing parent gives the DAG's edges, with no polling anywhere.
 */
export async function promoteCollections(
  queue: Queue,
  runId: string,
  collections: readonly string[],
): Promise<void> {
  for (const collection of collections) {
    const job = await Job.fromId(queue, collectionJobId(runId, collection));
    if (!job) continue;
    // Already promoted by an earlier attempt of the same completion: nothing to do.
    if (await job.isDelayed()) await job.promote().catch(() => undefined);
  }
}
