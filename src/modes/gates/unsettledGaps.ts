import type { Gate } from './gate.js';
import type { GateQueryable } from './queryable.js';

/**
 * `forwardGaps` / `reverseGaps`: the collection's open or dead gaps of one direction, which must be 0.
 * - into `pg`, forward gaps: each is a MongoDB write Postgres does not have yet; once Postgres is
 *   authoritative, a write built on the row it left stale would be mirrored over it.
 * - into `decommissioned`, reverse gaps: each is a Postgres commit MongoDB does not have; with the mirror
 *   stopped nothing would ever write it there, and a way back would start from a MongoDB missing it.
 * Gaps still in the MongoDB fallback store are moved into the table by the drain; they are not counted.
 */
export async function unsettledGapsGate(
  db: GateQueryable,
  collection: string,
  direction: 'forward' | 'reverse',
): Promise<Gate> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_dualwrite_gaps
      WHERE collection = $1 AND direction = $2 AND status IN ('open', 'dead')`,
    [collection, direction],
  );
  const n = rows[0]?.n ?? 0;
  return { name: `${direction}Gaps`, ok: n === 0, value: n };
}
