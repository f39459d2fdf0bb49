import type pg from 'pg';

/** Where a run's wall time went besides copying chunks, per collection, in seconds. */
export interface RunPhases {
  /**
   * Collection job start → its first chunk start: planning (planRanges streams every `_id` once), plus
   * any wait for a job slot behind other collections' chunks.
   */
  planningSeconds: Record<string, number>;
  /**
   * Last chunk finished → the collection completed: its `finished_at` is `clock_timestamp()` at the end
   * of the completing transaction (completeCollection in src/backfill/runState.ts), so this figure
   * includes what that transaction does (its wait for the run's row lock, the deferred-link pass,
   * `finalize`), not its commit, plus the time before the collection job got to it.
   */
  finishingSeconds: Record<string, number>;
  /** Seconds of the run during which no chunk was running at all: pure orchestration time. */
  noChunkSeconds: number;
}

/**
 * When a chunk ended: the chunk job writes `finished_at = clock_timestamp()` once copyChunk has returned
 * (not `now()`, the start of its transaction), so it already is the real end; only the commit is after it.
 */
const CHUNK_END = `c.finished_at`;

export async function readRunPhases(pool: pg.Pool, runId: string): Promise<RunPhases> {
  const { rows } = await pool.query<{ collection: string; planning: number; finishing: number }>(
    `SELECT rc.collection,
            extract(epoch FROM min(c.started_at) - rc.started_at)::float8 AS planning,
            extract(epoch FROM rc.finished_at - max(${CHUNK_END}))::float8 AS finishing
       FROM backfill_run_collections rc
       JOIN backfill_chunks c ON c.run_id = rc.run_id AND c.collection = rc.collection
      WHERE rc.run_id = $1
      GROUP BY rc.collection, rc.started_at, rc.finished_at
      ORDER BY min(c.started_at)`,
    [runId],
  );
  const chunks = await pool.query<{ started: Date; finished: Date }>(
    `SELECT started_at AS started, ${CHUNK_END} AS finished FROM backfill_chunks c
      WHERE run_id = $1 AND started_at IS NOT NULL AND finished_at IS NOT NULL
      ORDER BY started_at`,
    [runId],
  );
  const run = await pool.query<{ created: Date; finished: Date }>(
    `SELECT created_at AS created, finished_at AS finished FROM backfill_runs WHERE id = $1`,
    [runId],
  );
  const window = run.rows[0];
  let busyMs = 0;
  let coveredUntil = 0;
  for (const { started, finished } of chunks.rows) {
    const from = Math.max(started.getTime(), coveredUntil);
    if (finished.getTime() > from) busyMs += finished.getTime() - from;
    coveredUntil = Math.max(coveredUntil, finished.getTime());
  }
  const wallMs = window ? window.finished.getTime() - window.created.getTime() : 0;
  return {
    noChunkSeconds: Math.max(0, wallMs - busyMs) / 1000,
    planningSeconds: Object.fromEntries(rows.map((r) => [r.collection, Math.max(0, r.planning)])),
    finishingSeconds: Object.fromEntries(rows.map((r) => [r.collection, Math.max(0, r.finishing)])),
  };
}
