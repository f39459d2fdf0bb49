import type { Gate } from './gate.js';
import { seconds, type GateQueryable } from './queryable.js';

/**
 * `gapAge`: the oldest open gap of the collection (either direction), in seconds, must be younger than
 * the policy's limit. Young gaps are the normal lag of a dual write; an old one is stuck, and a move
 * forward would build on a store that is missing it. Dead gaps always fail: nothing drains them.
 */
export async function gapAgeGate(db: GateQueryable, collection: string, maxAgeMs: number): Promise<Gate> {
  const { rows } = await db.query<{ oldest_ms: number | null; dead: number }>(
    `SELECT (extract(epoch FROM clock_timestamp() - min(first_seen_at) FILTER (WHERE status = 'open')) * 1000)::float8
              AS oldest_ms,
            (count(*) FILTER (WHERE status = 'dead'))::int AS dead
       FROM pg_dualwrite_gaps WHERE collection = $1 AND status IN ('open', 'dead')`,
    [collection],
  );
  const oldestMs = rows[0]?.oldest_ms ?? null;
  const dead = rows[0]?.dead ?? 0;
  if (dead > 0) return { name: 'gapAge', ok: false, value: `${dead} dead` };
  return {
    name: 'gapAge',
    ok: oldestMs === null || oldestMs <= maxAgeMs,
    value: oldestMs === null ? 0 : seconds(oldestMs),
  };
}
