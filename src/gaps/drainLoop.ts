import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { backoffDelayMs } from './backoff.js';
import { describeGapError } from './describeError.js';
import { UndecodableGapIdError } from './ids.js';
import type { DrainOptions } from './options.js';
import { isStoreUnavailable } from './unavailable.js';
import { claimDueGaps, type ClaimedGap } from './sql/claimDueGaps.js';
import { failGaps, resolveGaps, type FailedGap } from './sql/settleGaps.js';
import type { GapDirection } from './sql/upsertOpenGap.js';

export interface GapDrainCounts {
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

export type GapOutcome = { ok: true } | { ok: false; error: string; fatal: boolean };

/** A claimed gap and the document(s) it names, in the form its direction applies them. */
export interface DrainMember<Target> {
  gap: ClaimedGap;
  target: Target;
}

/** What one direction of the drain does that the other does not. */
export interface DrainDirection<Target> {
  direction: GapDirection;
  /**
   * Apply collections in REGISTRY.order, as a run copies them: a child synced into Postgres before its
   * parent in the same batch would be rejected as an orphan. Otherwise in the order the batch names them.
   */
  parentsFirst: boolean;
  /** Why this direction can never drain the gap (it goes `dead` at once), or undefined. */
  refusal?(gap: ClaimedGap): string | undefined;
  /** The document(s) a gap names; throwing fails the gap (an UndecodableGapIdError: `dead` at once). */
  targetOf(gap: ClaimedGap): Target;
  /**
   * Writes the members' documents in one call and says how each one went. Throwing fails them all:
   * the drain then retries them one at a time (unless a store is out of reach).
   */
  apply(collection: string, members: readonly DrainMember<Target>[]): Promise<Map<number, GapOutcome>>;
}

/** A failure that another attempt may cure: the gap backs off, or goes `dead` once its attempts are spent. */
export function gapFailure(collection: string, gap: ClaimedGap, error: unknown): GapOutcome {
  return { ok: false, error: describeGapError(collection, gap.legacyId, error), fatal: false };
}

export function allSucceeded(members: readonly DrainMember<unknown>[]): Map<number, GapOutcome> {
  return new Map(members.map(({ gap }) => [gap.id, { ok: true }]));
}

/**
 * The loop both drains share (src/gaps/drain.ts forward, src/mirror/drainReverse.ts reverse):
 *
 *   1. claim a batch of due gaps of the direction (SKIP LOCKED + a lease: drains on every worker take
 *      disjoint batches);
 *   2. per collection, apply the batch's documents in one call; if that call fails, apply them one by
 *      one, so one bad document does not hold back the others and each failure gets its own error
 *      (not when a store is out of reach: then the whole batch fails at once, and backs off);
 *   3. resolve what was applied; back off what failed (exponential + jitter), `dead` after maxAttempts;
 *   4. repeat while batches come back full and the time budget (counted from `started`) lasts.
 */
export async function drainGapBatches<Target>(
  pool: pg.Pool,
  way: DrainDirection<Target>,
  options: DrainOptions,
  started: number,
): Promise<GapDrainCounts> {
  const counts: GapDrainCounts = {
    claimed: 0,
    resolved: 0,
    retrying: 0,
    dead: 0,
    superseded: 0,
    batches: 0,
    ms: 0,
  };
  for (;;) {
    const batch = await claimDueGaps(pool, {
      limit: options.batchSize,
      leaseMs: options.leaseMs,
      direction: way.direction,
    });
    if (batch.length === 0) break;
    counts.batches += 1;
    counts.claimed += batch.length;
    const outcomes = await applyBatch(way, batch);
    const applied = batch.filter((gap) => outcomes.get(gap.id)?.ok);
    const failed = batch.flatMap((gap): FailedGap[] => {
      const outcome = outcomes.get(gap.id);
      if (!outcome || outcome.ok) return [];
      const dead = outcome.fatal || gap.attempts >= options.maxAttempts;
      return [{ gap, error: outcome.error, dead, delayMs: dead ? 0 : backoffDelayMs(gap.attempts, options) }];
    });
    const resolved = await resolveGaps(pool, applied, way.direction);
    const { retrying, dead } = await failGaps(pool, failed);
    counts.resolved += resolved;
    counts.retrying += retrying;
    counts.dead += dead;
    counts.superseded += batch.length - resolved - retrying - dead;
    if (batch.length < options.batchSize || Date.now() - started >= options.budgetMs) break;
  }
  counts.ms = Date.now() - started;
  return counts;
}

async function applyBatch<Target>(
  way: DrainDirection<Target>,
  batch: readonly ClaimedGap[],
): Promise<Map<number, GapOutcome>> {
  const outcomes = new Map<number, GapOutcome>();
  const byCollection = new Map<string, DrainMember<Target>[]>();
  for (const gap of batch) {
    const fail = (error: unknown, fatal: boolean) =>
      outcomes.set(gap.id, {
        ok: false,
        error: describeGapError(gap.collection, gap.legacyId, error),
        fatal,
      });
    if (!REGISTRY.order.includes(gap.collection)) {
      fail(`not a registered collection (${REGISTRY.order.join(', ')})`, true);
      continue;
    }
    const refusal = way.refusal?.(gap);
    if (refusal !== undefined) {
      fail(refusal, true);
      continue;
    }
    try {
      const member = { gap, target: way.targetOf(gap) };
      const members = byCollection.get(gap.collection);
      if (members) members.push(member);
      else byCollection.set(gap.collection, [member]);
    } catch (error) {
      fail(error, error instanceof UndecodableGapIdError);
    }
  }
  const order = way.parentsFirst
    ? REGISTRY.order.filter((c) => byCollection.has(c))
    : [...byCollection.keys()];
  for (const collection of order) {
    const members = byCollection.get(collection) ?? [];
    for (const [id, outcome] of await applyCollection(way, collection, members)) outcomes.set(id, outcome);
  }
  return outcomes;
}

async function applyCollection<Target>(
  way: DrainDirection<Target>,
  collection: string,
  members: readonly DrainMember<Target>[],
): Promise<Map<number, GapOutcome>> {
  try {
    return await way.apply(collection, members);
  } catch (batchError) {
    if (members.length === 1 || isStoreUnavailable(batchError)) {
      return new Map(members.map(({ gap }) => [gap.id, gapFailure(collection, gap, batchError)]));
    }
  }
  // One document at a time, so one bad document does not hold back the others; an outage met on the way
  // fails the rest without waiting it out once per document.
  const outcomes = new Map<number, GapOutcome>();
  let outage: unknown;
  for (const member of members) {
    if (outage !== undefined) {
      outcomes.set(member.gap.id, gapFailure(collection, member.gap, outage));
      continue;
    }
    try {
      for (const [id, outcome] of await way.apply(collection, [member])) outcomes.set(id, outcome);
    } catch (error) {
      outcomes.set(member.gap.id, gapFailure(collection, member.gap, error));
      if (isStoreUnavailable(error)) outage = error;
    }
  }
  return outcomes;
}
