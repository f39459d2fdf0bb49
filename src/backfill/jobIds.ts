/**
 * Deterministic BullMQ job ids: re-adding a job that already exists is a no-op, which is what makes
 * resuming a run (after a Redis restart, or twice by mistake) safe. BullMQ forbids ':' in custom ids.
 */
export const runJobId = (runId: string) => `bf.${runId}`;
export const collectionJobId = (runId: string, collection: string) => `bf.${runId}.${collection}`;
export const chunkJobId = (runId: string, collection: string, chunkNo: number) =>
  `bf.${runId}.${collection}.${chunkNo}`;

/** A parked collection job waits in BullMQ's delayed set until its last parent promotes it. */
export const PARKED_DELAY_MS = 365 * 24 * 3600 * 1000;

const BACKFILL_JOB_ID =
  /^bf\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.([^.]+)(?:\.(\d+))?)?$/;

/**
 * The run (and collection) a backfill job id names: what is left to go by when a job's hash lost its
 * data (a Redis that lost keys while a worker still wrote to it can leave a hash with a counter only).
 */
export function parseBackfillJobId(id: string): { runId: string; collection?: string } | undefined {
  const match = BACKFILL_JOB_ID.exec(id);
  if (!match) return undefined;
  return match[2] === undefined ? { runId: match[1]! } : { runId: match[1]!, collection: match[2] };
}
