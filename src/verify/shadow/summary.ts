import type pg from 'pg';
import type { Db } from '../../db/client.js';

/** What the shadow reads of one collection showed over a window (the cutover gate's input). */
export interface ShadowReadSummary {
  /** Reads whose two answers were compared (mismatches included). */
  readonly compared: number;
  readonly mismatched: number;
  /** Reads whose Postgres side failed. */
  readonly failed: number;
  /** Differences that survived their recheck, first seen within the window. */
  readonly confirmed: number;
}

/**
 * Sums the shadow reads of `collection` over the last `windowMs` (Postgres' clock). Counts are kept per
 * minute, so the window is widened to the whole minutes it touches. Settling differences are not
 * `confirmed`: under live writes most of them are the sync's lag and clear at their recheck.
 */
export async function shadowReadSummary(
  db: Db | Pick<pg.Pool, 'query'>,
  collection: string,
  windowMs: number,
): Promise<ShadowReadSummary> {
  const client = '$client' in db ? db.$client : db;
  const seconds = windowMs / 1000;
  const { rows } = await client.query<ShadowReadSummary>(
    `SELECT coalesce((SELECT sum(compared) FROM shadow_read_counts
                       WHERE collection = $1 AND minute >= date_trunc('minute', now() - make_interval(secs => $2))), 0)::int AS compared,
            coalesce((SELECT sum(mismatched) FROM shadow_read_counts
                       WHERE collection = $1 AND minute >= date_trunc('minute', now() - make_interval(secs => $2))), 0)::int AS mismatched,
            coalesce((SELECT sum(failed) FROM shadow_read_counts
                       WHERE collection = $1 AND minute >= date_trunc('minute', now() - make_interval(secs => $2))), 0)::int AS failed,
            (SELECT count(*) FROM shadow_read_mismatches
              WHERE collection = $1 AND status = 'confirmed'
                AND first_seen_at >= now() - make_interval(secs => $2))::int AS confirmed`,
    [collection, seconds],
  );
  const row = rows[0];
  return {
    compared: row?.compared ?? 0,
    mismatched: row?.mismatched ?? 0,
    failed: row?.failed ?? 0,
    confirmed: row?.confirmed ?? 0,
  };
}
