import type { Db } from '../db/client.js';
import type { CollectionProgress, RunProgress, RunStatus, RunCollectionStatus } from './types.js';

interface RunRow {
  id: string;
  status: RunStatus;
  since: Date | null;
  chunk_size: number;
  created_at: Date;
  finished_at: Date | null;
  error: string | null;
}

interface CollectionRow {
  run_id: string;
  collection: string;
  status: RunCollectionStatus;
  chunks_planned: number | null;
  chunks_done: number;
  docs_read: number;
  docs_written: number;
  docs_rejected: number;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
}

async function collectionsOf(db: Db, runIds: readonly string[]): Promise<CollectionRow[]> {
  const { rows } = await db.$client.query<CollectionRow>(
    `SELECT rc.run_id, rc.collection, rc.status, rc.chunks_planned, rc.started_at, rc.finished_at, rc.error,
            count(c.*) FILTER (WHERE c.status = 'done')::int AS chunks_done,
            COALESCE(sum(c.docs_read), 0)::int AS docs_read,
            COALESCE(sum(c.docs_written), 0)::int AS docs_written,
            COALESCE(sum(c.docs_rejected), 0)::int AS docs_rejected
       FROM backfill_run_collections rc
       LEFT JOIN backfill_chunks c ON c.run_id = rc.run_id AND c.collection = rc.collection
      WHERE rc.run_id = ANY($1::uuid[])
      GROUP BY rc.run_id, rc.collection`,
    [runIds],
  );
  return rows;
}

function toProgress(run: RunRow, rows: readonly CollectionRow[], order: readonly string[]): RunProgress {
  const collections: CollectionProgress[] = rows
    .filter((r) => r.run_id === run.id)
    .sort((a, b) => order.indexOf(a.collection) - order.indexOf(b.collection))
    .map((r) => ({
      name: r.collection,
      status: r.status,
      chunksPlanned: r.chunks_planned ?? 0,
      chunksDone: r.chunks_done,
      docsRead: r.docs_read,
      docsWritten: r.docs_written,
      docsRejected: r.docs_rejected,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      error: r.error,
    }));
  const sum = (key: 'chunksPlanned' | 'chunksDone' | 'docsRead' | 'docsWritten' | 'docsRejected') =>
    collections.reduce((total, c) => total + c[key], 0);
  return {
    runId: run.id,
    status: run.status,
    since: run.since,
    chunkSize: run.chunk_size,
    createdAt: run.created_at,
    finishedAt: run.finished_at,
    error: run.error,
    collections,
    totals: {
      chunksPlanned: sum('chunksPlanned'),
      chunksDone: sum('chunksDone'),
      docsRead: sum('docsRead'),
      docsWritten: sum('docsWritten'),
      docsRejected: sum('docsRejected'),
    },
  };
}

export async function getRunProgress(db: Db, runId: string): Promise<RunProgress | null> {
  const { rows } = await db.$client.query<RunRow & { collections: string[] }>(
    `SELECT * FROM backfill_runs WHERE id = $1`,
    [runId],
  );
  const run = rows[0];
  if (!run) return null;
  return toProgress(run, await collectionsOf(db, [runId]), run.collections);
}

export async function listRuns(db: Db, limit = 20): Promise<RunProgress[]> {
  const { rows } = await db.$client.query<RunRow & { collections: string[] }>(
    `SELECT * FROM backfill_runs ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  const details = await collectionsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((run) => toProgress(run, details, run.collections));
}
