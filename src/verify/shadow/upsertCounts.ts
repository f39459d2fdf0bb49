import type pg from 'pg';

/** What one process counted for one read since its last flush. */
export interface ShadowCountRow {
  readonly collection: string;
  readonly read: string;
  readonly compared: number;
  readonly mismatched: number;
  readonly failed: number;
}

/**
 * Adds counts to `shadow_read_counts`, in the current minute of Postgres' clock (so every process of the
 * application counts into the same minute), one statement for the whole batch. Additive: many processes
 * flush into the same row.
 */
export async function upsertShadowCounts(
  pool: Pick<pg.Pool, 'query'>,
  rows: readonly ShadowCountRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO shadow_read_counts (collection, read, minute, compared, mismatched, failed)
     SELECT c, r, date_trunc('minute', now()), n, m, f
       FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[]) AS t(c, r, n, m, f)
     ON CONFLICT (collection, read, minute) DO UPDATE SET
       compared = shadow_read_counts.compared + excluded.compared,
       mismatched = shadow_read_counts.mismatched + excluded.mismatched,
       failed = shadow_read_counts.failed + excluded.failed`,
    [
      rows.map((r) => r.collection),
      rows.map((r) => r.read),
      rows.map((r) => r.compared),
      rows.map((r) => r.mismatched),
      rows.map((r) => r.failed),
    ],
  );
}
