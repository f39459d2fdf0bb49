import { REGISTRY } from '../collections/registry.js';
import { idValue } from '../collections/unmapping.js';
import type { DrainContext } from '../gaps/drain.js';
import {
  allSucceeded,
  drainGapBatches,
  gapFailure,
  type DrainDirection,
  type DrainMember,
  type GapDrainCounts,
  type GapOutcome,
} from '../gaps/drainLoop.js';
import { decodeGapIds } from '../gaps/ids.js';
import { drainOptions, type DrainOptionsInput } from '../gaps/options.js';
import { mirrorDocuments, MirrorWriteError, mirrorKeyOf as keyOf } from './mirrorDocuments.js';

/** Counts of one reverse drain; `claimed` counts reverse gaps only. */
export type ReverseDrainResult = GapDrainCounts;

/**
 * One drain of the REVERSE gaps (a pg-mode write Postgres committed and MongoDB missed,
 * src/mirror/followMirror.ts): write each due gap's document into MongoDB as Postgres holds it now,
 * through mirrorDocuments (the same lock discipline as the forward sync). The forward drain
 * (src/gaps/drain.ts) with the direction turned round, sharing its loop (src/gaps/drainLoop.ts), its
 * claim and settle SQL, its options (batch size, attempts, backoff, lease, budget) and its semantics:
 *
 *   1. claim a batch of due reverse gaps (SKIP LOCKED + a lease);
 *   2. per collection, mirror the batch's documents in one call; a write MongoDB refused fails only its
 *      document; any other failure is retried one document at a time (not when MongoDB is out of
 *      reach: the whole batch fails at once and backs off);
 *   3. resolve what was mirrored; back off what failed, `dead` after maxAttempts;
 *   4. repeat while batches come back full and the time budget lasts.
 *
 * The fallback store is not moved here: the forward drain does it, and the scheduled job runs it first.
 */
export async function drainReverseGaps(
  ctx: DrainContext,
  input: DrainOptionsInput = {},
): Promise<ReverseDrainResult> {
  const options = drainOptions(input);
  const result = await drainGapBatches(ctx.pool, reverse(ctx), options, Date.now());
  if (result.claimed > 0) ctx.log?.info(result, 'reverse gaps drained');
  return result;
}

/** A reverse gap's document, mirrored from Postgres into MongoDB. */
function reverse(ctx: DrainContext): DrainDirection<unknown> {
  return {
    direction: 'reverse',
    // MongoDB has no foreign keys: documents are mirrored in the order the batch names them.
    parentsFirst: false,
    refusal: (gap) =>
      REGISTRY.get(gap.collection).unmap ? undefined : 'the collection has no reverse mapping (spec.unmap)',
    // A gap without id_json (written by hand) names its document by legacy id only: a 24-hex one is
    // the ObjectId, as every collection keys it (unlike the forward drain, a mirror cannot try both:
    // it would create the document it did not find).
    targetOf: (gap) =>
      gap.idJson === null ? idValue(gap.legacyId) : decodeGapIds(gap.idJson, gap.legacyId)[0],
    apply: async (collection, members) => {
      try {
        await mirrorDocuments(
          ctx.pool,
          ctx.mongo,
          collection,
          members.map((m) => m.target),
        );
        return allSucceeded(members);
      } catch (error) {
        // A write MongoDB refused fails only its document; the others were mirrored.
        if (error instanceof MirrorWriteError) return settleRefused(collection, error, members);
        throw error;
      }
    },
  };
}

function settleRefused(
  collection: string,
  error: MirrorWriteError,
  members: readonly DrainMember<unknown>[],
): Map<number, GapOutcome> {
  const refused = new Map(error.failures.map((f) => [keyOf(f.id), f.error]));
  return new Map(
    members.map(({ gap, target }): [number, GapOutcome] => {
      const message = refused.get(keyOf(target));
      return [gap.id, message === undefined ? { ok: true } : gapFailure(collection, gap, new Error(message))];
    }),
  );
}
