import type pg from 'pg';
import { gapIdsOf } from '../../gaps/ids.js';

const BATCH = 5_000;

/**
 * Opens one forward `upsert` gap per document, as recordGap writes it (src/gaps/sql/upsertOpenGap.ts:
 * the same columns, due now, refreshing an open gap of the same document), in bulk: the drain is what
 * is measured, not N round trips to create its backlog.
 */
export async function recordGapsInBulk(
  pool: pg.Pool,
  collection: string,
  ids: readonly unknown[],
): Promise<number> {
  let opened = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const named = ids.slice(i, i + BATCH).map(gapIdsOf);
    const { rowCount } = await pool.query(
      `INSERT INTO pg_dualwrite_gaps AS g
              (collection, legacy_object_id, id_json, op, direction, last_error, first_seen_at, next_attempt_at)
       SELECT $1, t.legacy_id, t.id_json, 'upsert', 'forward', $4, clock_timestamp(), clock_timestamp()
         FROM unnest($2::text[], $3::text[]) AS t(legacy_id, id_json)
       ON CONFLICT (collection, legacy_object_id) WHERE status = 'open' DO UPDATE
          SET id_json = EXCLUDED.id_json,
              op = EXCLUDED.op,
              direction = EXCLUDED.direction,
              last_error = EXCLUDED.last_error,
              next_attempt_at = clock_timestamp()`,
      [
        collection,
        named.map((n) => n.legacyId),
        named.map((n) => n.idJson),
        'bench: a dual write whose sync failed (simulated)',
      ],
    );
    opened += rowCount ?? 0;
  }
  return opened;
}

export async function openGapCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_dualwrite_gaps WHERE status = 'open'`,
  );
  return Number(rows[0]!.n);
}

/** Empties the bench's gap table, so each timed drain starts from the same state. */
export async function clearGaps(pool: pg.Pool): Promise<void> {
  await pool.query(`TRUNCATE pg_dualwrite_gaps`);
}

/**
 * `rows` resolved gaps of other documents, as a table that has been draining for a while holds (a gap
 * row is never deleted, only resolved): what the settle statements run against in production.
 */
export async function addResolvedHistory(pool: pg.Pool, collection: string, rows: number): Promise<void> {
  await pool.query(
    `INSERT INTO pg_dualwrite_gaps
            (collection, legacy_object_id, id_json, op, direction, status, attempts, resolved_at)
     SELECT $1, 'history-' || i, NULL, 'upsert', 'forward', 'resolved', 1, clock_timestamp()
       FROM generate_series(1, $2::int) AS i`,
    [collection, rows],
  );
  await pool.query(`ANALYZE pg_dualwrite_gaps`);
}
