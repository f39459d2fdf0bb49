import type { CollectionMode } from '../machine.js';
import type { Gate } from './gate.js';
import { seconds, type GateQueryable } from './queryable.js';

/**
 * `inDual` / `inPg`: the collection has been in `mode` (since its last change) for at least `minMs`:
 * the shadow-read window before `pg`, the soak before `decommissioned`. The value is seconds so far.
 */
export async function timeInModeGate(
  db: GateQueryable,
  collection: string,
  mode: Extract<CollectionMode, 'dual' | 'pg'>,
  minMs: number,
): Promise<Gate> {
  const { rows } = await db.query<{ mode: string; age_ms: number }>(
    `SELECT mode, (extract(epoch FROM clock_timestamp() - changed_at) * 1000)::float8 AS age_ms
       FROM collection_modes WHERE collection = $1`,
    [collection],
  );
  const row = rows[0];
  const name = mode === 'dual' ? 'inDual' : 'inPg';
  if (!row || row.mode !== mode) return { name, ok: false, value: 0 };
  return { name, ok: row.age_ms >= minMs, value: seconds(row.age_ms) };
}
