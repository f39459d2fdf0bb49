import type pg from 'pg';
import type { FieldDifference } from './diff.js';

type Queryable = Pick<pg.Pool, 'query'>;

export interface NewShadowMismatch {
  readonly collection: string;
  readonly read: string;
  readonly args: readonly unknown[];
  readonly legacyId: string | null;
  readonly differences: readonly FieldDifference[];
}

/** Records a first difference as `settling`: under live dual writes it may only be the sync's lag. */
export async function insertShadowMismatch(pool: Queryable, mismatch: NewShadowMismatch): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO shadow_read_mismatches (collection, read, args, legacy_object_id, fields, status, detail)
     VALUES ($1, $2, $3::jsonb, $4, $5::text[], 'settling', $6::jsonb)
     RETURNING id`,
    [
      mismatch.collection,
      mismatch.read,
      JSON.stringify(mismatch.args),
      mismatch.legacyId,
      mismatch.differences.map((d) => d.field),
      JSON.stringify({ first: mismatch.differences }),
    ],
  );
  return Number(rows[0]?.id);
}

/**
 * The recheck's verdict: `confirmed` with what still differs, or `cleared` when the stores now agree.
 * The first sighting's detail is kept beside the recheck's.
 */
export async function settleShadowMismatch(
  pool: Queryable,
  id: number,
  verdict: { status: 'confirmed' | 'cleared'; differences: readonly FieldDifference[] },
): Promise<void> {
  await pool.query(
    `UPDATE shadow_read_mismatches
        SET status = $2,
            fields = CASE WHEN $2 = 'confirmed' THEN $3::text[] ELSE fields END,
            detail = coalesce(detail, '{}'::jsonb) || jsonb_build_object('recheck', $4::jsonb),
            last_checked_at = now()
      WHERE id = $1`,
    [id, verdict.status, verdict.differences.map((d) => d.field), JSON.stringify(verdict.differences)],
  );
}

/** A recheck that could not be done (Postgres failed, or the process closed): the row stays `settling`. */
export async function noteRecheckFailed(pool: Queryable, id: number, reason: string): Promise<void> {
  await pool.query(
    `UPDATE shadow_read_mismatches
        SET detail = coalesce(detail, '{}'::jsonb) || jsonb_build_object('recheckFailed', $2::text),
            last_checked_at = now()
      WHERE id = $1 AND status = 'settling'`,
    [id, reason],
  );
}
