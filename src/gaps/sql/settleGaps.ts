import type pg from 'pg';
import type { ClaimedGap } from './claimDueGaps.js';
import type { GapDirection } from './upsertOpenGap.js';

export interface FailedGap {
  gap: ClaimedGap;
  error: string;
  /** `dead` when its attempts are spent or it can never succeed, else back to `open` after `delayMs`. */
  dead: boolean;
  delayMs: number;
}

/**
 * Every settle below touches a gap only if it still holds the claim's lease (`next_attempt_at`
 * unchanged). A failure recorded on the document after the claim (recordGap) makes the gap due again,
 * which breaks the lease: this drain may have read MongoDB before that write, so the gap stays open for
 * the next drain instead of being resolved, and the new failure is never lost.
 */
const HOLDS_LEASE = `g.status = 'open' AND (extract(epoch FROM g.next_attempt_at) * 1000000)::bigint = c.lease`;

/**
 * Resolves synced gaps. A dead gap of the same document and direction goes with it: the sync brought the
 * document as MongoDB has it now (a reverse drain: MongoDB's document as the rows have it now), which
 * covers the write that gap missed.
 */
export async function resolveGaps(
  pool: pg.Pool,
  gaps: readonly ClaimedGap[],
  direction: GapDirection = 'forward',
): Promise<number> {
  if (gaps.length === 0) return 0;
  const { rows } = await pool.query<{ resolved: string }>(
    `WITH resolved AS (
       UPDATE pg_dualwrite_gaps g SET status = 'resolved', resolved_at = clock_timestamp()
         FROM unnest($1::bigint[], $2::bigint[]) AS c(id, lease)
        WHERE g.id = c.id AND ${HOLDS_LEASE}
       RETURNING g.collection, g.legacy_object_id
     ), superseded AS (
       UPDATE pg_dualwrite_gaps g SET status = 'resolved', resolved_at = clock_timestamp()
         FROM resolved r
        WHERE g.collection = r.collection AND g.legacy_object_id = r.legacy_object_id
          AND g.status = 'dead' AND g.direction = $3
     )
     SELECT count(*) AS resolved FROM resolved`,
    [gaps.map((g) => g.id), gaps.map((g) => g.lease), direction],
  );
  return Number(rows[0]?.resolved ?? 0);
}

/** Records failures: back to `open` with a later `next_attempt_at`, or `dead`. */
export async function failGaps(
  pool: pg.Pool,
  failures: readonly FailedGap[],
): Promise<{ retrying: number; dead: number }> {
  if (failures.length === 0) return { retrying: 0, dead: 0 };
  const { rows } = await pool.query<{ dead: boolean }>(
    `UPDATE pg_dualwrite_gaps g
        SET status = CASE WHEN c.dead THEN 'dead'::dualwrite_gap_status ELSE 'open'::dualwrite_gap_status END,
            last_error = c.error,
            next_attempt_at = clock_timestamp() + c.delay_ms * interval '1 millisecond'
       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::boolean[], $5::bigint[])
            AS c(id, lease, error, dead, delay_ms)
      WHERE g.id = c.id AND ${HOLDS_LEASE}
      RETURNING c.dead`,
    [
      failures.map((f) => f.gap.id),
      failures.map((f) => f.gap.lease),
      failures.map((f) => f.error),
      failures.map((f) => f.dead),
      failures.map((f) => f.delayMs),
    ],
  );
  const dead = rows.filter((r) => r.dead).length;
  return { retrying: rows.length - dead, dead };
}
