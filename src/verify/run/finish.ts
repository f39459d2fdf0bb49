import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { verifyCounts, verifyMoney } from './engine.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { moneyHolder, VERIFY_DEFAULTS } from './options.js';
import { repairConfirmed, settleMismatches } from './settle.js';
import { finishResult, finishRunIfDone, readMismatches } from './store.js';

/** What the range jobs of one collection compared, summed. */
export interface RangeTotals {
  ranges: number;
  compared: number;
  matched: number;
  accounted: { rejected: number; deleted: number; gapOpen: number };
}

export const emptyTotals = (): RangeTotals => ({
  ranges: 0,
  compared: 0,
  matched: 0,
  accounted: { rejected: 0, deleted: 0, gapOpen: 0 },
});

export function addTotals(sum: RangeTotals, range: Partial<Omit<RangeTotals, 'ranges'>>): RangeTotals {
  return {
    ranges: sum.ranges + 1,
    compared: sum.compared + (range.compared ?? 0),
    matched: sum.matched + (range.matched ?? 0),
    accounted: {
      rejected: sum.accounted.rejected + (range.accounted?.rejected ?? 0),
      deleted: sum.accounted.deleted + (range.accounted?.deleted ?? 0),
      gapOpen: sum.accounted.gapOpen + (range.accounted?.gapOpen ?? 0),
    },
  };
}

export interface FinishCollection {
  runId: string;
  resultId: number;
  collection: string;
  /** Every collection of the run: the money checks go on one of them only. */
  runCollections: readonly string[];
  repair: boolean;
  lagMs: number;
  totals: RangeTotals;
}

/**
 * After the last range of a collection: settle its mismatches (recheck generations), repair the
 * confirmed ones when asked, then count both sides and (once per run) check the money. The counts and
 * money come last so that a repair's effect is what they measure. Green iff no mismatch is confirmed
 * and the counts (and money) agree.
 */
export async function finishCollection(
  pool: pg.Pool,
  mongo: MongoDb,
  input: FinishCollection,
): Promise<'green' | 'red'> {
  const { resultId, collection } = input;
  await settleMismatches(pool, mongo, resultId, collection, input.lagMs);
  if (input.repair) await repairConfirmed(pool, mongo, resultId, collection);
  const counts = await recheckedAfterLag(() => verifyCounts(pool, mongo, collection), input.lagMs);
  const money =
    moneyHolder(input.runCollections) === collection
      ? await recheckedAfterLag(() => verifyMoney(pool, mongo), input.lagMs)
      : null;
  const confirmed = (await readMismatches(pool, resultId, 'confirmed')).length;
  const status = confirmed === 0 && counts.ok && (money?.ok ?? true) ? 'green' : 'red';
  await finishResult(pool, resultId, {
    status,
    counts: { ...input.totals, collection: counts },
    money,
  });
  await finishRunIfDone(pool, input.runId);
  return status;
}

/**
 * Counts and sums read MongoDB, then Postgres: under live writes a document inserted in between, or a
 * dual write still syncing, makes them differ by one for an instant. Like a mismatch, a red verdict
 * counts only when it is still red after the lag window, for up to VERIFY_DEFAULTS.generations reads.
 * Real drift stays red through every read, so nothing is hidden: the last verdict is what is stored.
 */
async function recheckedAfterLag<T extends { ok: boolean }>(
  check: () => Promise<T>,
  lagMs: number,
): Promise<T> {
  let verdict = await check();
  for (let generation = 1; !verdict.ok && generation < VERIFY_DEFAULTS.generations; generation++) {
    await sleep(lagMs);
    verdict = await check();
  }
  return verdict;
}

/** A collection that can never finish (a range failed for good, the job's attempts ran out). */
export async function failCollection(
  pool: pg.Pool,
  runId: string,
  resultId: number,
  error: string,
): Promise<void> {
  await finishResult(pool, resultId, { status: 'failed', counts: {}, money: null, error });
  await finishRunIfDone(pool, runId);
}
