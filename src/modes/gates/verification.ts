import type { Gate } from './gate.js';
import { seconds, type GateQueryable } from './queryable.js';

/**
 * `verification`: the collection's latest finished verification is green and at most `maxAgeMs` old.
 * The latest one counts, not the latest green one: a red result after a green one means the stores
 * drifted since.
 */
export async function verificationGate(
  db: GateQueryable,
  collection: string,
  maxAgeMs: number,
): Promise<Gate> {
  const { rows } = await db.query<{ status: string; age_ms: number; confirmed: number }>(
    `SELECT status, mismatches_confirmed AS confirmed,
            (extract(epoch FROM clock_timestamp() - finished_at) * 1000)::float8 AS age_ms
       FROM verification_results
      WHERE collection = $1 AND finished_at IS NOT NULL
      ORDER BY finished_at DESC LIMIT 1`,
    [collection],
  );
  const last = rows[0];
  if (!last) return { name: 'verification', ok: false, value: 'never verified' };
  const age = `${seconds(last.age_ms)} s ago`;
  if (last.status !== 'green') {
    return {
      name: 'verification',
      ok: false,
      value: `${last.status} (${last.confirmed} mismatches), ${age}`,
    };
  }
  return { name: 'verification', ok: last.age_ms <= maxAgeMs, value: `green, ${age}` };
}
