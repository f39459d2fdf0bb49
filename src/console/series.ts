import type pg from 'pg';

/** One plot: x as Unix seconds, then one array of y values per series (uPlot's data layout). */
export interface Series {
  labels: string[];
  data: number[][];
}

/**
 * Documents read per second over a backfill run, in `bucketSeconds` buckets by when each chunk finished
 * (a chunk is the unit the workers report), from the run's start to its end (or now).
 */
export async function throughputSeries(pool: pg.Pool, runId: string, bucketSeconds = 5): Promise<Series> {
  const { rows } = await pool.query<{ t: number; docs: number }>(
    `WITH run AS (SELECT created_at, coalesce(finished_at, now()) AS ended FROM backfill_runs WHERE id = $1),
          buckets AS (
            SELECT floor(extract(epoch FROM c.finished_at) / $2) * $2 AS t, sum(c.docs_read)::float8 AS docs
              FROM backfill_chunks c WHERE c.run_id = $1 AND c.finished_at IS NOT NULL GROUP BY 1)
     SELECT s.t::float8 AS t, coalesce(b.docs, 0)::float8 / $2 AS docs
       FROM run,
            generate_series(floor(extract(epoch FROM run.created_at) / $2) * $2,
                            floor(extract(epoch FROM run.ended) / $2) * $2, $2) AS s(t)
       LEFT JOIN buckets b ON b.t = s.t
      ORDER BY s.t`,
    [runId, bucketSeconds],
  );
  return { labels: ['docs/s'], data: [rows.map((r) => r.t), rows.map((r) => r.docs)] };
}

/**
 * Open and dead dual-write gaps at each minute of the last `minutes`, rebuilt from the gaps' own
 * timestamps: a gap counts as open from its first failure until it was resolved; a dead gap counts as
 * dead from its last attempt (the table keeps no other record of when it died).
 */
export async function openGapsSeries(pool: pg.Pool, minutes = 60): Promise<Series> {
  const { rows } = await pool.query<{ t: number; open: number; dead: number }>(
    `WITH recent AS (
       SELECT first_seen_at, resolved_at, status, coalesce(last_attempt_at, first_seen_at) AS died_at
         FROM pg_dualwrite_gaps
        WHERE status <> 'resolved' OR resolved_at > now() - make_interval(mins => $1))
     SELECT extract(epoch FROM m)::float8 AS t,
            (SELECT count(*) FROM recent g
              WHERE g.first_seen_at <= m AND (g.resolved_at IS NULL OR g.resolved_at > m)
                AND NOT (g.status = 'dead' AND g.died_at <= m))::int AS open,
            (SELECT count(*) FROM recent g WHERE g.status = 'dead' AND g.died_at <= m)::int AS dead
       FROM generate_series(now() - make_interval(mins => $1), now(), interval '1 minute') AS m
      ORDER BY m`,
    [minutes],
  );
  return {
    labels: ['open', 'dead'],
    data: [rows.map((r) => r.t), rows.map((r) => r.open), rows.map((r) => r.dead)],
  };
}

export interface VerificationPoint {
  runId: string;
  status: string;
  mismatches: number;
  finishedAt: Date;
}

/** A collection's finished verifications, newest first. */
export async function verificationHistory(
  pool: pg.Pool,
  collection: string,
  limit = 50,
): Promise<VerificationPoint[]> {
  const { rows } = await pool.query<VerificationPoint>(
    `SELECT run_id AS "runId", status, mismatches_confirmed AS mismatches, finished_at AS "finishedAt"
       FROM verification_results
      WHERE collection = $1 AND finished_at IS NOT NULL
      ORDER BY finished_at DESC, id DESC LIMIT $2`,
    [collection, limit],
  );
  return rows;
}
