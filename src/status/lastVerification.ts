import type pg from 'pg';
import type { VerificationStatus } from '../db/schema/verification.js';

/** The latest finished result of each collection: what `status` and `/metrics` show, and the gate reads. */
export interface LastVerification {
  runId: string;
  at: Date;
  /** `failed`: the verification could not finish (a range kept failing); it vouches for nothing. */
  status: Exclude<VerificationStatus, 'running'>;
  /** Confirmed mismatches of that result. */
  mismatches: number;
}

export async function lastVerifications(pool: pg.Pool): Promise<Map<string, LastVerification>> {
  const { rows } = await pool.query<{
    collection: string;
    run_id: string;
    finished_at: Date;
    status: VerificationStatus;
    mismatches_confirmed: number;
  }>(
    `SELECT DISTINCT ON (collection) collection, run_id, finished_at, status, mismatches_confirmed
       FROM verification_results WHERE finished_at IS NOT NULL
      ORDER BY collection, finished_at DESC, id DESC`,
  );
  return new Map(
    rows.map((r) => [
      r.collection,
      {
        runId: r.run_id,
        at: r.finished_at,
        status: r.status === 'running' ? 'failed' : r.status,
        mismatches: r.mismatches_confirmed,
      },
    ]),
  );
}
