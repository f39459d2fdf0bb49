import { COLLECTION_MODES, type CollectionMode } from '../db/schema/backfill.js';

/**
 * The cutover state machine of one collection (plan §1 and §8):
 *
 *        forward: one step at a time, refused while a gate is red (or forced, with a reason)
 *   mongo ──────▶ dual ──────▶ pg ──────▶ decommissioned
 *     ▲            │  ▲         │  ▲            │
 *     └────────────┘  └─────────┘  └────────────┘
 *     back: to any earlier mode, never gated, always allowed (rollback must be instant)
 *
 * A "move" to the mode a collection is already in is a no-op: nothing is written and nothing is recorded.
 * That makes `mode all dual` idempotent, so it can simply be re-run after it stopped half-way.
 *
 * A forward move may not skip a mode: each step has its own gates (pg is gated on what dual proved), so
 * `mongo → pg` is refused rather than evaluated as one move. A back move may go back several steps.
 */
export { COLLECTION_MODES, type CollectionMode };

export type Direction = 'forward' | 'back' | 'same';

/** For `switch` statements over a union: a compile error when a member is not handled. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${String(value)}`);
}

export function isCollectionMode(value: string): value is CollectionMode {
  return (COLLECTION_MODES as readonly string[]).includes(value);
}

/** Position in the forward order: mongo 0 … decommissioned 3. */
export function modeRank(mode: CollectionMode): number {
  switch (mode) {
    case 'mongo':
      return 0;
    case 'dual':
      return 1;
    case 'pg':
      return 2;
    case 'decommissioned':
      return 3;
    default:
      return assertNever(mode, 'collection mode');
  }
}

/** The next mode forward, or null at the end of the machine. */
export function nextMode(mode: CollectionMode): CollectionMode | null {
  switch (mode) {
    case 'mongo':
      return 'dual';
    case 'dual':
      return 'pg';
    case 'pg':
      return 'decommissioned';
    case 'decommissioned':
      return null;
    default:
      return assertNever(mode, 'collection mode');
  }
}

export function directionOf(from: CollectionMode, to: CollectionMode): Direction {
  const delta = modeRank(to) - modeRank(from);
  return delta > 0 ? 'forward' : delta < 0 ? 'back' : 'same';
}

/**
 * Where a collection's reads and writes go in each mode (DESIGN.md "Dual-write"); the repository
 * factory routes by this, and `authoritative` is the store whose write is the answer to the caller.
 */
export interface ModeRouting {
  readonly reads: 'mongo' | 'pg';
  readonly authoritative: 'mongo' | 'pg';
  /** The other store, written after the authoritative one (a failure becomes a gap), or null. */
  readonly mirror: 'mongo' | 'pg' | null;
}

export function routingOf(mode: CollectionMode): ModeRouting {
  switch (mode) {
    case 'mongo':
      return { reads: 'mongo', authoritative: 'mongo', mirror: null };
    case 'dual':
      return { reads: 'mongo', authoritative: 'mongo', mirror: 'pg' };
    case 'pg':
      // MongoDB is still written after the commit, so that a rollback to dual is instant (plan §8 step 5).
      return { reads: 'pg', authoritative: 'pg', mirror: 'mongo' };
    case 'decommissioned':
      return { reads: 'pg', authoritative: 'pg', mirror: null };
    default:
      return assertNever(mode, 'collection mode');
  }
}
