import { REGISTRY } from '../collections/registry.js';
import { idValue } from '../collections/unmapping.js';
import { backoffDelayMs } from '../gaps/backoff.js';
import type { DrainContext } from '../gaps/drain.js';
import { describeGapError } from '../gaps/describeError.js';
import { decodeGapIds, UndecodableGapIdError } from '../gaps/ids.js';
import { drainOptions, type DrainOptionsInput } from '../gaps/options.js';
import { claimDueGaps, type ClaimedGap } from '../gaps/sql/claimDueGaps.js';
import { failGaps, resolveGaps, type FailedGap } from '../gaps/sql/settleGaps.js';
import { isStoreUnavailable } from '../gaps/unavailable.js';
import { mirrorDocuments, MirrorWriteError, mirrorKeyOf as keyOf } from './mirrorDocuments.js';

export interface ReverseDrainResult {
  /** Reverse gaps claimed (each one attempt). */
  claimed: number;
  resolved: number;
  /** Failed and back to `open` with a later `next_attempt_at`. */
  retrying: number;
  dead: number;
  /** Claimed gaps whose lease a newer failure broke: left open, due now, for the next drain. */
  superseded: number;
  batches: number;
  ms: number;
}

type Outcome = { ok: true } | { ok: false; error: string; fatal: boolean };

interface Member {
  gap: ClaimedGap;
  id: unknown;
}

/**
 * One drain of the REVERSE gaps (a pg-mode write Postgres committed and MongoDB missed,
 * src/mirror/followMirror.ts): write each due gap's document into MongoDB as Postgres holds it now,
 * through mirrorDocuments (the same lock discipline as the forward sync). The forward drain
 * (src/gaps/drain.ts) with the direction turned round, sharing its claim and settle SQL, its options
 * (batch size, attempts, backoff, lease, budget) and its semantics:
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
  const started = Date.now();
  const result: ReverseDrainResult = {
    claimed: 0,
    resolved: 0,
    retrying: 0,
    dead: 0,
    superseded: 0,
    batches: 0,
    ms: 0,
  };
  for (;;) {
    const batch = await claimDueGaps(ctx.pool, {
      limit: options.batchSize,
      leaseMs: options.leaseMs,
      direction: 'reverse',
    });
    if (batch.length === 0) break;
    result.batches += 1;
    result.claimed += batch.length;
    const outcomes = await mirrorBatch(ctx, batch);
    const mirrored = batch.filter((gap) => outcomes.get(gap.id)?.ok);
    const failed = batch.flatMap((gap): FailedGap[] => {
      const outcome = outcomes.get(gap.id);
      if (!outcome || outcome.ok) return [];
      const dead = outcome.fatal || gap.attempts >= options.maxAttempts;
      return [{ gap, error: outcome.error, dead, delayMs: dead ? 0 : backoffDelayMs(gap.attempts, options) }];
    });
    const resolved = await resolveGaps(ctx.pool, mirrored, 'reverse');
    const { retrying, dead } = await failGaps(ctx.pool, failed);
    result.resolved += resolved;
    result.retrying += retrying;
    result.dead += dead;
    result.superseded += batch.length - resolved - retrying - dead;
    if (batch.length < options.batchSize || Date.now() - started >= options.budgetMs) break;
  }
  result.ms = Date.now() - started;
  if (result.claimed > 0) ctx.log?.info(result, 'reverse gaps drained');
  return result;
}

async function mirrorBatch(ctx: DrainContext, batch: readonly ClaimedGap[]): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  const byCollection = new Map<string, Member[]>();
  for (const gap of batch) {
    const fatal = (error: unknown) =>
      outcomes.set(gap.id, {
        ok: false,
        error: describeGapError(gap.collection, gap.legacyId, error),
        fatal: true,
      });
    if (!REGISTRY.order.includes(gap.collection)) {
      fatal(`not a registered collection (${REGISTRY.order.join(', ')})`);
      continue;
    }
    if (!REGISTRY.get(gap.collection).unmap) {
      fatal('the collection has no reverse mapping (spec.unmap)');
      continue;
    }
    try {
      // A gap without id_json (written by hand) names its document by legacy id only: a 24-hex one is
      // the ObjectId, as every collection keys it (unlike the forward drain, a mirror cannot try both:
      // it would create the document it did not find).
      const id = gap.idJson === null ? idValue(gap.legacyId) : decodeGapIds(gap.idJson, gap.legacyId)[0];
      byCollection.set(gap.collection, [...(byCollection.get(gap.collection) ?? []), { gap, id }]);
    } catch (error) {
      outcomes.set(gap.id, {
        ok: false,
        error: describeGapError(gap.collection, gap.legacyId, error),
        fatal: error instanceof UndecodableGapIdError,
      });
    }
  }
  for (const [collection, members] of byCollection)
    for (const [id, outcome] of await mirrorCollection(ctx, collection, members)) outcomes.set(id, outcome);
  return outcomes;
}

async function mirrorCollection(
  ctx: DrainContext,
  collection: string,
  members: readonly Member[],
): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  const failure = (gap: ClaimedGap, error: unknown): Outcome => ({
    ok: false,
    error: describeGapError(collection, gap.legacyId, error),
    fatal: false,
  });
  const settleRefused = (error: MirrorWriteError, among: readonly Member[]) => {
    const refused = new Map(error.failures.map((f) => [keyOf(f.id), f.error]));
    for (const { gap, id } of among) {
      const message = refused.get(keyOf(id));
      outcomes.set(gap.id, message === undefined ? { ok: true } : failure(gap, new Error(message)));
    }
  };
  try {
    await mirrorDocuments(
      ctx.pool,
      ctx.mongo,
      collection,
      members.map((m) => m.id),
    );
    for (const { gap } of members) outcomes.set(gap.id, { ok: true });
  } catch (batchError) {
    if (batchError instanceof MirrorWriteError) settleRefused(batchError, members);
    else if (members.length === 1 || isStoreUnavailable(batchError)) {
      for (const { gap } of members) outcomes.set(gap.id, failure(gap, batchError));
    } else {
      let outage: unknown;
      for (const member of members) {
        if (outage !== undefined) {
          outcomes.set(member.gap.id, failure(member.gap, outage));
          continue;
        }
        try {
          await mirrorDocuments(ctx.pool, ctx.mongo, collection, [member.id]);
          outcomes.set(member.gap.id, { ok: true });
        } catch (error) {
          if (error instanceof MirrorWriteError) settleRefused(error, [member]);
          else outcomes.set(member.gap.id, failure(member.gap, error));
          if (isStoreUnavailable(error)) outage = error;
        }
      }
    }
  }
  return outcomes;
}
