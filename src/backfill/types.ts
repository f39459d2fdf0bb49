/**
 * The backfill engine's public shapes: what the API, the CLI and Bull Board-side tools read.
 *
 * Run states:            Collection states within a run:
 *   running ─▶ completed   parked ─(parents done)─▶ queued ─▶ planning ─▶ copying ─▶ linking ─▶ completed
 *      └────▶ failed         any ─▶ failed (its dependants: blocked)
 */
export const RUN_STATUSES = ['running', 'completed', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_COLLECTION_STATUSES = [
  'parked',
  'queued',
  'planning',
  'copying',
  'linking',
  'completed',
  'failed',
  'blocked',
] as const;
export type RunCollectionStatus = (typeof RUN_COLLECTION_STATUSES)[number];

export interface StartBackfillOptions {
  /** Mongo collection names, or 'all' for every registered collection. */
  collections: readonly string[] | 'all';
  /** Delta mode: only documents changed after this instant (`updatedAt`, else the ObjectId's time). */
  since?: Date;
  /** Documents per chunk job. @defaultValue 2000 */
  chunkSize?: number;
}

export interface CollectionProgress {
  name: string;
  status: RunCollectionStatus;
  chunksPlanned: number;
  chunksDone: number;
  docsRead: number;
  docsWritten: number;
  docsRejected: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

export interface RunProgress {
  runId: string;
  status: RunStatus;
  since: Date | null;
  chunkSize: number;
  createdAt: Date;
  finishedAt: Date | null;
  error: string | null;
  collections: CollectionProgress[];
  totals: {
    chunksPlanned: number;
    chunksDone: number;
    docsRead: number;
    docsWritten: number;
    docsRejected: number;
  };
}
