import type { Gate } from './gate.js';
import type { GateQueryable } from './queryable.js';

/**
 * `backfill`: some full backfill run (not a `--since` delta) completed this collection. Without one,
 * Postgres holds only what dual writes touched, and no verification could be green for the right reason.
 */
export async function backfillGate(db: GateQueryable, collection: string): Promise<Gate> {
  const { rows } = await db.query<{ finished_at: Date | null }>(
    `SELECT max(c.finished_at) AS finished_at
       FROM backfill_run_collections c JOIN backfill_runs r ON r.id = c.run_id
      WHERE c.collection = $1 AND c.status = 'completed' AND r.since IS NULL`,
    [collection],
  );
  const finishedAt = rows[0]?.finished_at ?? null;
  return {
    name: 'backfill',
    ok: finishedAt !== null,
    value: finishedAt === null ? 'never completed' : finishedAt.toISOString(),
  };
}
