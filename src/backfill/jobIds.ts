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
