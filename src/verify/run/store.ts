import { EJSON } from 'bson';
import type pg from 'pg';
import type { MismatchKind, MismatchStatus, VerificationStatus } from '../../db/schema/verification.js';
import { legacyIdOf } from '../../collections/mapping/legacyId.js';
import { idOfLegacyId } from './engine.js';

/**
 * The SQL of a verification run, one named operation each (STYLE.md §2), all on the tables of
 * src/db/schema/verification.ts:
 *
 *   run (running) ──all results finished──▶ green | red | failed
 *   result (running) ──ranges done, rechecked, counted──▶ green | red | failed
 *   mismatch settling ──recheck agrees──▶ cleared
 *                     ──recheck finds the same difference (or 3 generations)──▶ confirmed ──repair──▶ repaired
 */

/** What the engine reports for one document (src/verify): `id` is the BSON `_id`. */
export interface FoundMismatch {
  readonly legacyId: string;
  readonly id: unknown;
  readonly kind: MismatchKind;
  readonly columns: readonly string[];
  readonly detail: unknown;
}

export async function insertRun(
  client: pg.ClientBase,
  run: { collections: readonly string[]; repair: boolean; requestedBy: string },
): Promise<{ runId: string; resultIds: Map<string, number> }> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO verification_runs (collections, repair, requested_by) VALUES ($1, $2, $3) RETURNING id`,
    [run.collections, run.repair, run.requestedBy],
  );
  const runId = rows[0]!.id;
  const results = await client.query<{ id: number; collection: string }>(
    `INSERT INTO verification_results (run_id, collection) SELECT $1, unnest($2::text[])
     RETURNING id::int AS id, collection`,
    [runId, run.collections],
  );
  return { runId, resultIds: new Map(results.rows.map((r) => [r.collection, r.id])) };
}

export interface ResultState {
  id: number;
  status: VerificationStatus;
  rangesPlanned: number | null;
  repair: boolean;
  collections: string[];
}

export async function readResult(
  pool: pg.Pool,
  runId: string,
  collection: string,
): Promise<ResultState | undefined> {
  const { rows } = await pool.query<{
    id: number;
    status: VerificationStatus;
    ranges_planned: number | null;
    repair: boolean;
    collections: string[];
  }>(
    `SELECT v.id::int AS id, v.status, v.ranges_planned, r.repair, r.collections
       FROM verification_results v JOIN verification_runs r ON r.id = v.run_id
      WHERE v.run_id = $1 AND v.collection = $2`,
    [runId, collection],
  );
  const row = rows[0];
  return (
    row && {
      id: row.id,
      status: row.status,
      rangesPlanned: row.ranges_planned,
      repair: row.repair,
      collections: row.collections,
    }
  );
}

export async function setRangesPlanned(pool: pg.Pool, resultId: number, planned: number): Promise<void> {
  await pool.query(`UPDATE verification_results SET ranges_planned = $2 WHERE id = $1`, [resultId, planned]);
}

/** Progress only: a range job retried after this ran counts once more, hence the ceiling. */
export async function countRangeDone(pool: pg.Pool, resultId: number): Promise<void> {
  await pool.query(
    `UPDATE verification_results SET ranges_done = LEAST(ranges_done + 1, COALESCE(ranges_planned, ranges_done + 1))
      WHERE id = $1`,
    [resultId],
  );
}

/** The BSON `_id` kept beside a mismatch, so a recheck or repair asks MongoDB for the exact document. */
function encodeId(id: unknown): string | null {
  return id === undefined || id === null ? null : EJSON.stringify({ v: id }, { relaxed: false });
}

/** The `_id` of a stored mismatch: the one kept, else read from the legacy id (24 hex = ObjectId). */
export function decodeId(stored: unknown, legacyId: string): unknown {
  if (typeof stored === 'string') return (EJSON.parse(stored, { relaxed: false }) as { v: unknown }).v;
  return idOfLegacyId(legacyId);
}

function rowsOf(mismatches: readonly FoundMismatch[]) {
  const byId = new Map<string, object>();
  for (const m of mismatches) {
    const legacyId = m.legacyId || legacyIdOf(m.id);
    // One row per document and result: a key repeated in one statement fails the upsert.
    byId.set(legacyId, {
      legacy_id: legacyId,
      kind: m.kind,
      columns: [...m.columns],
      detail: { _id: encodeId(m.id), diff: m.detail ?? null },
    });
  }
  return [...byId.values()];
}

/**
 * Records what a range found, as `settling`. `first_seen_at` is carried over from the latest earlier
 * mismatch of the same document when that one is still open (settling or confirmed): a difference that
 * outlives several runs keeps the time it was first seen, so the report can tell old from new.
 */
export async function recordMismatches(
  pool: pg.Pool,
  resultId: number,
  collection: string,
  mismatches: readonly FoundMismatch[],
): Promise<void> {
  if (mismatches.length === 0) return;
  await pool.query(
    `INSERT INTO verification_mismatches (result_id, collection, legacy_object_id, kind, columns, detail, first_seen_at)
     SELECT $1, $2, m.legacy_id, m.kind, m.columns, m.detail,
            COALESCE((SELECT CASE WHEN p.status IN ('settling', 'confirmed') THEN p.first_seen_at END
                        FROM verification_mismatches p
                       WHERE p.collection = $2 AND p.legacy_object_id = m.legacy_id AND p.result_id <> $1
                       ORDER BY p.id DESC LIMIT 1), now())
       FROM json_to_recordset($3::json) AS m(legacy_id text, kind text, columns text[], detail jsonb)
     ON CONFLICT (result_id, legacy_object_id) DO UPDATE
        SET kind = EXCLUDED.kind, columns = EXCLUDED.columns, detail = EXCLUDED.detail, last_checked_at = now()`,
    [resultId, collection, JSON.stringify(rowsOf(mismatches))],
  );
}

export interface StoredMismatch {
  legacyId: string;
  id: unknown;
  kind: MismatchKind;
  columns: string[];
  diff: unknown;
}

export async function readMismatches(
  pool: pg.Pool,
  resultId: number,
  status: MismatchStatus,
): Promise<StoredMismatch[]> {
  const { rows } = await pool.query<{
    legacy_object_id: string;
    kind: MismatchKind;
    columns: string[];
    detail: { _id?: unknown; diff?: unknown } | null;
  }>(
    `SELECT legacy_object_id, kind, columns, detail FROM verification_mismatches
      WHERE result_id = $1 AND status = $2 ORDER BY legacy_object_id`,
    [resultId, status],
  );
  return rows.map((r) => ({
    legacyId: r.legacy_object_id,
    id: decodeId(r.detail?._id, r.legacy_object_id),
    kind: r.kind,
    columns: r.columns,
    diff: r.detail?.diff ?? null,
  }));
}

/** Moves documents of a result to `status`; `found` (when given) replaces what differs now. */
export async function setMismatchStatus(
  pool: pg.Pool,
  resultId: number,
  legacyIds: readonly string[],
  status: MismatchStatus,
): Promise<void> {
  if (legacyIds.length === 0) return;
  await pool.query(
    `UPDATE verification_mismatches SET status = $3, last_checked_at = now()
      WHERE result_id = $1 AND legacy_object_id = ANY($2::text[])`,
    [resultId, legacyIds, status],
  );
}

/** A recheck found the documents still differ, maybe differently: keep what it found now. */
export async function updateMismatches(
  pool: pg.Pool,
  resultId: number,
  collection: string,
  found: readonly FoundMismatch[],
  status: MismatchStatus,
): Promise<void> {
  if (found.length === 0) return;
  await recordMismatches(pool, resultId, collection, found);
  await setMismatchStatus(
    pool,
    resultId,
    found.map((m) => m.legacyId || legacyIdOf(m.id)),
    status,
  );
}

export interface ResultOutcome {
  status: Exclude<VerificationStatus, 'running'>;
  counts: unknown;
  money: unknown;
  error?: string;
}

/** Closes a result; its mismatch tallies are read from the mismatches themselves. */
export async function finishResult(pool: pg.Pool, resultId: number, outcome: ResultOutcome): Promise<void> {
  await pool.query(
    `UPDATE verification_results v SET status = $2, counts = $3, money = $4, error = $5, finished_at = now(),
            ranges_done = COALESCE(ranges_planned, ranges_done),
            mismatches_confirmed = (SELECT count(*) FROM verification_mismatches WHERE result_id = v.id AND status = 'confirmed'),
            mismatches_settling = (SELECT count(*) FROM verification_mismatches WHERE result_id = v.id AND status = 'settling'),
            repaired = (SELECT count(*) FROM verification_mismatches WHERE result_id = v.id AND status = 'repaired')
      WHERE id = $1 AND status = 'running'`,
    [
      resultId,
      outcome.status,
      JSON.stringify(outcome.counts ?? {}),
      JSON.stringify(outcome.money ?? null),
      outcome.error ?? null,
    ],
  );
}

/**
 * Closes the run once no result of it is running: green iff every result is green. Every finishing
 * collection job calls it after committing its own result, so the last of them always sees them all.
 */
export async function finishRunIfDone(pool: pg.Pool, runId: string): Promise<void> {
  await pool.query(
    `UPDATE verification_runs r
        SET finished_at = now(),
            status = CASE WHEN EXISTS (SELECT 1 FROM verification_results WHERE run_id = r.id AND status = 'failed') THEN 'failed'
                          WHEN EXISTS (SELECT 1 FROM verification_results WHERE run_id = r.id AND status = 'red') THEN 'red'
                          ELSE 'green' END,
            error = (SELECT string_agg(collection || ': ' || error, '; ' ORDER BY collection)
                       FROM verification_results WHERE run_id = r.id AND error IS NOT NULL)
      WHERE r.id = $1 AND r.status = 'running'
        AND NOT EXISTS (SELECT 1 FROM verification_results WHERE run_id = r.id AND status = 'running')`,
    [runId],
  );
}

/** Whether a collection is being verified right now (the scheduler does not pile runs up). */
export async function collectionBeingVerified(pool: pg.Pool, collection: string): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM verification_results v JOIN verification_runs r ON r.id = v.run_id
      WHERE v.collection = $1 AND v.status = 'running' AND r.status = 'running' LIMIT 1`,
    [collection],
  );
  return rows.length > 0;
}
