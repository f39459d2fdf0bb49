import type pg from 'pg';
import type { MismatchKind, MismatchStatus, VerificationStatus } from '../../db/schema/verification.js';

/** Mismatches listed per collection in a report; the tallies count them all. */
const LISTED = 1_000;

export interface ReportedMismatch {
  /** The legacy id, as `legacy_object_id` holds it. */
  id: string;
  kind: MismatchKind;
  columns: string[];
  status: MismatchStatus;
  firstSeenAt: Date;
  lastCheckedAt: Date;
  detail: unknown;
}

/**
 * One collection of a run, as `verify --json` and `GET /api/verifications/:id` print it. `status` is
 * DESIGN.md's green|red (a failed result is red: it vouches for nothing); `outcome` keeps the exact one.
 */
export interface CollectionReport {
  name: string;
  status: 'green' | 'red' | 'running';
  outcome: VerificationStatus;
  /** Confirmed and (while running) settling mismatches: what keeps the collection red. */
  mismatches: ReportedMismatch[];
  /** Found, confirmed, then synced by `--repair` and found to agree. */
  repaired: ReportedMismatch[];
  tallies: { confirmed: number; settling: number; repaired: number; cleared: number };
  rangesPlanned: number | null;
  rangesDone: number;
  counts: unknown;
  money: unknown;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

export interface VerificationReport {
  runId: string;
  status: VerificationStatus;
  repair: boolean;
  requestedBy: string;
  createdAt: Date;
  finishedAt: Date | null;
  error: string | null;
  collections: CollectionReport[];
}

/** Just enough to follow a run (the CLI's progress bar), without its mismatches. */
export interface VerificationProgress {
  runId: string;
  status: VerificationStatus;
  collections: {
    name: string;
    status: VerificationStatus;
    rangesPlanned: number | null;
    rangesDone: number;
  }[];
}

export async function verificationProgress(
  pool: pg.Pool,
  runId: string,
): Promise<VerificationProgress | null> {
  const { rows } = await pool.query<{
    status: VerificationStatus;
    collection: string;
    result_status: VerificationStatus;
    ranges_planned: number | null;
    ranges_done: number;
  }>(
    `SELECT r.status, v.collection, v.status AS result_status, v.ranges_planned, v.ranges_done
       FROM verification_runs r JOIN verification_results v ON v.run_id = r.id
      WHERE r.id = $1 ORDER BY v.id`,
    [runId],
  );
  const first = rows[0];
  if (!first) return null;
  return {
    runId,
    status: first.status,
    collections: rows.map((r) => ({
      name: r.collection,
      status: r.result_status,
      rangesPlanned: r.ranges_planned,
      rangesDone: r.ranges_done,
    })),
  };
}

const contractStatus = (s: VerificationStatus): CollectionReport['status'] =>
  s === 'running' ? 'running' : s === 'green' ? 'green' : 'red';

export async function verificationReport(pool: pg.Pool, runId: string): Promise<VerificationReport | null> {
  const runs = await pool.query<{
    status: VerificationStatus;
    repair: boolean;
    requested_by: string;
    created_at: Date;
    finished_at: Date | null;
    error: string | null;
  }>(
    `SELECT status, repair, requested_by, created_at, finished_at, error FROM verification_runs WHERE id = $1`,
    [runId],
  );
  const run = runs.rows[0];
  if (!run) return null;
  const results = await pool.query<{
    id: number;
    collection: string;
    status: VerificationStatus;
    ranges_planned: number | null;
    ranges_done: number;
    counts: unknown;
    money: unknown;
    started_at: Date;
    finished_at: Date | null;
    error: string | null;
  }>(
    `SELECT id::int AS id, collection, status, ranges_planned, ranges_done, counts, money, started_at, finished_at, error
       FROM verification_results WHERE run_id = $1 ORDER BY id`,
    [runId],
  );
  const mismatches = await pool.query<{
    result_id: number;
    legacy_object_id: string;
    kind: MismatchKind;
    columns: string[];
    status: MismatchStatus;
    first_seen_at: Date;
    last_checked_at: Date;
    detail: { diff?: unknown } | null;
    n: number;
  }>(
    `SELECT * FROM (
       SELECT m.result_id::int AS result_id, m.legacy_object_id, m.kind, m.columns, m.status, m.first_seen_at,
              m.last_checked_at, m.detail,
              row_number() OVER (PARTITION BY m.result_id, m.status ORDER BY m.legacy_object_id)::int AS n
         FROM verification_mismatches m JOIN verification_results v ON v.id = m.result_id
        WHERE v.run_id = $1) t
      WHERE n <= $2 ORDER BY result_id, legacy_object_id`,
    [runId, LISTED],
  );
  const tallies = await pool.query<{ result_id: number; status: MismatchStatus; n: number }>(
    `SELECT m.result_id::int AS result_id, m.status, count(*)::int AS n
       FROM verification_mismatches m JOIN verification_results v ON v.id = m.result_id
      WHERE v.run_id = $1 GROUP BY 1, 2`,
    [runId],
  );
  return {
    runId,
    status: run.status,
    repair: run.repair,
    requestedBy: run.requested_by,
    createdAt: run.created_at,
    finishedAt: run.finished_at,
    error: run.error,
    collections: results.rows.map((r) => {
      const listed = mismatches.rows
        .filter((m) => m.result_id === r.id)
        .map((m) => ({
          id: m.legacy_object_id,
          kind: m.kind,
          columns: m.columns,
          status: m.status,
          firstSeenAt: m.first_seen_at,
          lastCheckedAt: m.last_checked_at,
          detail: m.detail?.diff ?? null,
        }));
      const tally = (status: MismatchStatus) =>
        tallies.rows.find((t) => t.result_id === r.id && t.status === status)?.n ?? 0;
      return {
        name: r.collection,
        status: contractStatus(r.status),
        outcome: r.status,
        mismatches: listed.filter((m) => m.status === 'confirmed' || m.status === 'settling'),
        repaired: listed.filter((m) => m.status === 'repaired'),
        tallies: {
          confirmed: tally('confirmed'),
          settling: tally('settling'),
          repaired: tally('repaired'),
          cleared: tally('cleared'),
        },
        rangesPlanned: r.ranges_planned,
        rangesDone: r.ranges_done,
        counts: r.counts,
        money: r.money,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        error: r.error,
      };
    }),
  };
}
