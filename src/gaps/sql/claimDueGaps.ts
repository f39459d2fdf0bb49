import type pg from 'pg';
import type { GapDirection } from './upsertOpenGap.js';

export interface ClaimedGap {
  id: number;
  collection: string;
  legacyId: string;
  idJson: string | null;
  /** Attempts including this one. */
  attempts: number;
  /**
   * The claim's lease, as `next_attempt_at` in epoch microseconds (text: exact, unlike a JS Date's
   * milliseconds). Settling a gap requires it unchanged: see settleGaps.
   */
  lease: string;
}

/**
 * Claims up to `limit` due FORWARD gaps for one drain, in one autocommitted statement: `FOR UPDATE SKIP
 * LOCKED` makes concurrent drains (any worker, any host) pick disjoint gaps, and pushing
 * `next_attempt_at` one lease ahead keeps them disjoint after the statement commits, without holding a
 * transaction (or a second connection) open while the documents sync.
 *
 * One direction per claim (forward by default): reverse gaps (Postgres has the write, MongoDB not) are
 * drained by writing the rows back to MongoDB through the reverse mapping, a different operation from
 * syncDocuments, so the reverse drain (src/mirror/drainReverse.ts) claims them with `direction:
 * 'reverse'` and the forward drain never sees them.
 */
export async function claimDueGaps(
  pool: pg.Pool,
  { limit, leaseMs, direction = 'forward' }: { limit: number; leaseMs: number; direction?: GapDirection },
): Promise<ClaimedGap[]> {
  const { rows } = await pool.query<{
    id: string;
    collection: string;
    legacy_object_id: string;
    id_json: string | null;
    attempts: number;
    lease: string;
  }>(
    `WITH due AS (
       SELECT id FROM pg_dualwrite_gaps
        WHERE status = 'open' AND direction = $3 AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id
        LIMIT $1
        FOR UPDATE SKIP LOCKED
     )
     UPDATE pg_dualwrite_gaps g
        SET attempts = g.attempts + 1,
            last_attempt_at = clock_timestamp(),
            next_attempt_at = now() + $2 * interval '1 millisecond'
       FROM due WHERE g.id = due.id
     RETURNING g.id, g.collection, g.legacy_object_id, g.id_json, g.attempts,
               (extract(epoch FROM g.next_attempt_at) * 1000000)::bigint::text AS lease`,
    [limit, leaseMs, direction],
  );
  return rows
    .map((row) => ({
      id: Number(row.id),
      collection: row.collection,
      legacyId: row.legacy_object_id,
      idJson: row.id_json,
      attempts: row.attempts,
      lease: row.lease,
    }))
    .sort((a, b) => a.id - b.id);
}
