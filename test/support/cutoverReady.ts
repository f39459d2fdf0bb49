import type pg from 'pg';

/**
 * Records, for each collection, a completed full backfill and a green verification finished now: the
 * state the `backfill` and `verification` cutover gates look for. For tests of how mode changes are
 * made and recorded (the CLI, the API), not of whether the data deserves them; pair it with
 * CUTOVER_SHADOW_WINDOW_MS=0 and CUTOVER_SOAK_MS=0 so the time gates are green too.
 */
export async function markCutoverReady(pool: pg.Pool, collections: readonly string[]): Promise<void> {
  await pool.query(
    `WITH run AS (
       INSERT INTO backfill_runs (status, collections, chunk_size, finished_at)
       VALUES ('completed', $1::text[], 100, now()) RETURNING id)
     INSERT INTO backfill_run_collections (run_id, collection, status, waiting_on, finished_at)
     SELECT run.id, c, 'completed', 0, now() FROM run, unnest($1::text[]) AS c`,
    [collections],
  );
  await pool.query(
    `WITH run AS (
       INSERT INTO verification_runs (status, collections, requested_by, finished_at)
       VALUES ('green', $1::text[], 'test', now()) RETURNING id)
     INSERT INTO verification_results (run_id, collection, status, finished_at)
     SELECT run.id, c, 'green', now() FROM run, unnest($1::text[]) AS c`,
    [collections],
  );
}

/** The environment that makes the time-based gates green at once. */
export const NO_CUTOVER_WAITS = { CUTOVER_SHADOW_WINDOW_MS: '0', CUTOVER_SOAK_MS: '0' } as const;
