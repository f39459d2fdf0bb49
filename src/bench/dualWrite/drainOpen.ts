import { drainGaps } from '../../gaps/drain.js';
import type { GapStores } from '../../gaps/record.js';
import { drainReverseGaps } from '../../mirror/drainReverse.js';

/** Drains before giving up: a gap that fails every time is a bench bug, not something to wait out. */
const ROUNDS = 5;

/**
 * Drains the traffic's open gaps of one direction (untimed, between slices), due now whatever their
 * backoff, until none is left: a move into `pg` is gated on no open forward gap (a MongoDB write
 * Postgres has not taken), one into `decommissioned` on no open reverse gap, and a move back from `pg`
 * must find MongoDB holding every pg-mode commit. Returns the gaps resolved; throws when some stay
 * open or went dead.
 */
export async function drainOpenGaps(stores: GapStores, direction: 'forward' | 'reverse'): Promise<number> {
  let resolved = 0;
  for (let round = 0; ; round += 1) {
    const { rows } = await stores.pool.query<{ open: number; dead: number }>(
      `SELECT count(*) FILTER (WHERE status = 'open')::int AS open,
              count(*) FILTER (WHERE status = 'dead')::int AS dead
         FROM pg_dualwrite_gaps WHERE direction = $1`,
      [direction],
    );
    const { open, dead } = rows[0]!;
    if (open === 0 && dead === 0) return resolved;
    if (dead > 0 || round === ROUNDS) {
      throw new Error(`bench: ${open} open and ${dead} dead ${direction} gaps left after ${round} drain(s)`);
    }
    await stores.pool.query(
      `UPDATE pg_dualwrite_gaps SET next_attempt_at = clock_timestamp()
        WHERE status = 'open' AND direction = $1`,
      [direction],
    );
    const result = direction === 'forward' ? await drainGaps(stores) : await drainReverseGaps(stores);
    resolved += result.resolved;
  }
}
