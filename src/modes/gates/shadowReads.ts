import type { Gate } from './gate.js';
import type { GateQueryable } from './queryable.js';

/**
 * `shadowReads`: no shadow read of the collection confirmed a mismatch within the window (plan §7: reads
 * flip only after Postgres answered like MongoDB for long enough). The window's length in `dual` is the
 * `inDual` gate's business; this one only counts what the window saw.
 */
export async function shadowReadsGate(
  db: GateQueryable,
  collection: string,
  windowMs: number,
): Promise<Gate> {
  const { rows } = await db.query<{ confirmed: number }>(
    `SELECT count(*)::int AS confirmed FROM shadow_read_mismatches
      WHERE collection = $1 AND status = 'confirmed'
        AND first_seen_at > clock_timestamp() - make_interval(secs => $2::float8 / 1000)`,
    [collection, windowMs],
  );
  const confirmed = rows[0]?.confirmed ?? 0;
  return { name: 'shadowReads', ok: confirmed === 0, value: confirmed };
}
