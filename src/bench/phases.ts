import type pg from 'pg';

/** Where a run's wall time went besides copying chunks, per collection, in seconds. */
export interface RunPhases {
  /**
   * Collection job start → its first chunk start: planning (planRanges streams every `_id` once), plus
   * any wait for a job slot behind other collections' chunks.
   */
  planningSeconds: Record<string, number>;
  /**
   * Last chunk finished → the collection's completion began (its `finished_at` is `now()` of the
   * completing transaction, so the link pass inside it is not part of this figure).
   */
  finishingSeconds: Record<string, number>;
  /** Seconds of the run during which no chunk was running at all: pure orchestration time. */
  noChunkSeconds: number;
}

/**
 * When a chunk really ended: its `finished_at` is `now()` inside the chunk's transaction, i.e. the time
 * the transaction began, so the copy's own duration is added.
 */
const CHUNK_END = `(c.finished_at + c.duration_ms * interval '1 millisecond')`;

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
      WHERE run_id = $1 AND started_at IS NOT NULL AND finished_at IS NOT NULL AND duration_ms IS NOT NULL
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
