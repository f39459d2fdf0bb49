import type { Logger } from '../logger.js';
import { REGISTRY } from '../collections/registry.js';
import { syncDocuments } from '../sync/syncDocuments.js';
import { backoffDelayMs } from './backoff.js';
import { describeGapError } from './describeError.js';
import { decodeGapIds, UndecodableGapIdError } from './ids.js';
import { moveFallbackIntoGaps } from './moveFallback.js';
import { isStoreUnavailable } from './unavailable.js';
import { drainOptions, type DrainOptionsInput } from './options.js';
import type { GapStores } from './record.js';
import { claimDueGaps, type ClaimedGap } from './sql/claimDueGaps.js';
import { failGaps, resolveGaps, type FailedGap } from './sql/settleGaps.js';

export interface DrainResult {
  /** Records moved in from the fallback store first. */
  moved: number;
  /** Gaps claimed (each one attempt). */
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

export interface DrainContext extends GapStores {
  log?: Logger;
}

type Outcome = { ok: true } | { ok: false; error: string; fatal: boolean };

/**
 * One drain of the forward gaps: bring each due gap's document into Postgres as MongoDB has it now,
 * through syncDocuments (the one operation; no mapping of its own here).
 *
 *   1. move the fallback store's records into the table (Postgres was down when they failed);
 *   2. claim a batch of due forward gaps (SKIP LOCKED + a lease: drains on every worker take disjoint
 *      batches); reverse gaps are not claimed, their own drain writes them back to MongoDB;
 *   3. per collection, sync the batch's documents in one call; if that call fails, sync them one by
 *      one, so one bad document does not hold back the others and each failure gets its own error
 *      (not when a store is out of reach: then the whole batch fails at once, and backs off);
 *      each sync links what it wrote (src/backfill/link.ts linkDocuments);
 *   4. resolve what synced; back off what failed (exponential + jitter), `dead` after maxAttempts;
 *   5. repeat while batches come back full and the time budget lasts.
 */
export async function drainGaps(ctx: DrainContext, input: DrainOptionsInput = {}): Promise<DrainResult> {
  const options = drainOptions(input);
  const started = Date.now();
  const result: DrainResult = {
    moved: 0,
    claimed: 0,
    resolved: 0,
    retrying: 0,
    dead: 0,
    superseded: 0,
    batches: 0,
    ms: 0,
  };
  try {
    result.moved = await moveFallbackIntoGaps(ctx);
  } catch (error) {
    // The table's own gaps can still drain; the records wait in MongoDB for the next drain.
    ctx.log?.warn({ err: error }, 'gaps: cannot move the fallback store into the table yet');
  }
  for (;;) {
    const batch = await claimDueGaps(ctx.pool, { limit: options.batchSize, leaseMs: options.leaseMs });
    if (batch.length === 0) break;
    result.batches += 1;
    result.claimed += batch.length;
    const outcomes = await syncBatch(ctx, batch);
    const synced = batch.filter((gap) => outcomes.get(gap.id)?.ok);
    const failed = batch.flatMap((gap): FailedGap[] => {
      const outcome = outcomes.get(gap.id);
      if (!outcome || outcome.ok) return [];
      const dead = outcome.fatal || gap.attempts >= options.maxAttempts;
      return [{ gap, error: outcome.error, dead, delayMs: dead ? 0 : backoffDelayMs(gap.attempts, options) }];
    });
    const resolved = await resolveGaps(ctx.pool, synced);
    const { retrying, dead } = await failGaps(ctx.pool, failed);
    result.resolved += resolved;
    result.retrying += retrying;
    result.dead += dead;
    result.superseded += batch.length - resolved - retrying - dead;
    if (batch.length < options.batchSize || Date.now() - started >= options.budgetMs) break;
  }
  result.ms = Date.now() - started;
  return result;
}

async function syncBatch(ctx: DrainContext, batch: readonly ClaimedGap[]): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  const byCollection = new Map<string, { gap: ClaimedGap; ids: unknown[] }[]>();
  for (const gap of batch) {
    if (!REGISTRY.order.includes(gap.collection)) {
      const error = `not a registered collection (${REGISTRY.order.join(', ')})`;
      outcomes.set(gap.id, {
        ok: false,
        error: describeGapError(gap.collection, gap.legacyId, error),
        fatal: true,
      });
      continue;
    }
    try {
      const ids = decodeGapIds(gap.idJson, gap.legacyId);
      byCollection.set(gap.collection, [...(byCollection.get(gap.collection) ?? []), { gap, ids }]);
    } catch (error) {
      const fatal = error instanceof UndecodableGapIdError;
      outcomes.set(gap.id, {
        ok: false,
        error: describeGapError(gap.collection, gap.legacyId, error),
        fatal,
      });
    }
  }
  // Parents first, as a run copies them: a child synced before its parent in the same batch would be
  // rejected as an orphan.
  for (const collection of REGISTRY.order) {
    const members = byCollection.get(collection);
    if (!members) continue;
    for (const [id, outcome] of await syncCollection(ctx, collection, members)) outcomes.set(id, outcome);
  }
  return outcomes;
}

async function syncCollection(
  ctx: DrainContext,
  collection: string,
  members: readonly { gap: ClaimedGap; ids: unknown[] }[],
): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  const failure = (gap: ClaimedGap, error: unknown): Outcome => ({
    ok: false,
    error: describeGapError(collection, gap.legacyId, error),
    fatal: false,
  });
  try {
    await syncDocuments(
      ctx.pool,
      ctx.mongo,
      collection,
      members.flatMap((m) => m.ids),
    );
    for (const { gap } of members) outcomes.set(gap.id, { ok: true });
  } catch (batchError) {
    if (members.length === 1 || isStoreUnavailable(batchError)) {
      for (const { gap } of members) outcomes.set(gap.id, failure(gap, batchError));
    } else {
      let outage: unknown;
      for (const { gap, ids } of members) {
        if (outage !== undefined) {
          outcomes.set(gap.id, failure(gap, outage));
          continue;
        }
        try {
          await syncDocuments(ctx.pool, ctx.mongo, collection, ids);
          outcomes.set(gap.id, { ok: true });
        } catch (error) {
          outcomes.set(gap.id, failure(gap, error));
          if (isStoreUnavailable(error)) outage = error;
        }
      }
    }
  }
  return outcomes;
}
