import { routingOf, type CollectionMode } from './machine.js';
import type { ModeState } from './storage.js';

/**
 * The settle fence: which mode a process ROUTES a collection's calls by, given its recorded mode.
 *
 * A change that moves authority from one store to the other (dual ↔ pg, and any move across that line)
 * cannot take effect everywhere at once: a process learns it within its ModeReader TTL, and a call it
 * began in the old mode is still writing (its Mongo write and forward sync, or its Postgres commit and
 * mirror) for up to its own timeouts. Were the new mode's writers to start at once, a Postgres commit
 * could land between an old-mode MongoDB write and that write's sync, and the sync (reading MongoDB)
 * would overwrite it, or a mirror would replace a MongoDB document under a write it has not seen. So
 * for `settleMs` after such a change every process keeps routing by the PREVIOUS mode, and all switch
 * together once every old-mode call has finished. The age comes from Postgres's clock (readModeStates),
 * so processes agree on the instant without trusting their own clocks.
 *
 * A change that keeps the authoritative store (mongo ↔ dual, pg ↔ decommissioned) only starts or stops
 * a follower, and takes effect at once: nothing then writes the same document first in two places.
 *
 * Back moves are fenced too, with the same window: a rollback is recorded (and reads of the record say
 * so) at once, and writes move back to MongoDB `settleMs` later, after the last Postgres-first call has
 * mirrored what it wrote. And while the collection has OPEN reverse gaps (Postgres commits whose mirror
 * failed: MongoDB is behind), calls stay Postgres-first (routed as `pg`, mirrored) until the drain has
 * written them: a MongoDB-first `$inc` on a document that misses commits would otherwise build on the
 * stale value, and its forward sync would then write that over the commits. That is what keeps a
 * rollback from losing a write; `dead` reverse gaps (MongoDB refuses the document) do not hold it, since
 * draining will not end them: they stay visible in `strangler gaps`. The mirror image holds going
 * forward: a collection in `pg` with OPEN forward gaps (MongoDB writes whose sync failed, e.g. a dual
 * call's sync that timed out just before the switch) is routed as `dual` until they are drained, or a
 * Postgres-first write would build on the stale row and its mirror would replace the newer document.
 */
/** The repositories' default settle window: 3 × the default 2 s mode TTL + 4 s (src/modes/reader.ts). */
export const DEFAULT_SETTLE_MS = 10_000;

export function routingMode(state: ModeState | undefined, settleMs: number, elapsedMs = 0): CollectionMode {
  if (!state) return 'mongo';
  const { mode, previous } = state;
  const settled =
    previous === null ||
    state.ageMs + elapsedMs >= settleMs ||
    routingOf(previous).authoritative === routingOf(mode).authoritative;
  const routed = settled ? mode : previous;
  // Back to MongoDB with Postgres commits it has not got yet: stay Postgres-first until they are drained.
  if (routingOf(routed).authoritative === 'mongo' && state.reverseGapsOpen > 0) return 'pg';
  // Into Postgres with MongoDB writes it has not got yet: stay MongoDB-first (followed) until drained.
  if (routed === 'pg' && state.forwardGapsOpen > 0) return 'dual';
  return routed;
}
