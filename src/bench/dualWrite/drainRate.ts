import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { drainGaps, type DrainResult } from '../../gaps/drain.js';
import { round } from './latencies.js';
import { clearGaps, openGapCount, recordGapsInBulk } from './recordGaps.js';

export interface DrainPlan {
  batchSize: number;
  /** drainGaps calls at once (SKIP LOCKED claims split the backlog between them, as on several workers). */
  drains: number;
  /** `insert`: rows not in Postgres yet; `update`: rows there, documents changed since. */
  state: 'insert' | 'update';
}

export interface DrainFigures extends DrainPlan {
  gaps: number;
  seconds: number;
  gapsPerSec: number;
  batches: number;
  resolved: number;
  /** Failed and left open or dead: each one is named by the drain's own error rows. */
  failed: number;
}

/** Far longer than any bench drain: the run measures how long the backlog takes, not the budget. */
const BUDGET_MS = 600_000;

/**
 * One timed drain of `ids.length` forward gaps of `collection`: the gaps are opened in bulk (untimed),
 * into an emptied gap table, then `drains` drainGaps calls run until every gap was claimed. For an `update` run every document is changed
 * in MongoDB first, so each sync rewrites its rows, as after a missed dual write.
 */
export async function timeDrain(
  stores: { pool: pg.Pool; mongo: MongoDb },
  collection: string,
  ids: readonly unknown[],
  plan: DrainPlan,
): Promise<DrainFigures> {
  if (plan.state === 'update') {
    await stores.mongo.collection(collection).updateMany({}, { $set: { updatedAt: new Date() } });
  }
  await clearGaps(stores.pool);
  await recordGapsInBulk(stores.pool, collection, ids);
  const gaps = await openGapCount(stores.pool);
  const totals = { batches: 0, resolved: 0, claimed: 0 };
  const started = performance.now();
  const drainOnce = async (): Promise<DrainResult> =>
    drainGaps(stores, { batchSize: plan.batchSize, budgetMs: BUDGET_MS });
  for (let pass = 0; pass < 10; pass++) {
    const results = await Promise.all(Array.from({ length: plan.drains }, drainOnce));
    for (const r of results) {
      totals.batches += r.batches;
      totals.resolved += r.resolved;
      totals.claimed += r.claimed;
    }
    // A drain stops at its first short batch; with several at once one may stop while others still run.
    if (totals.claimed >= gaps) break;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    ...plan,
    gaps,
    seconds: round(seconds),
    gapsPerSec: round(totals.resolved / seconds),
    batches: totals.batches,
    resolved: totals.resolved,
    failed: gaps - totals.resolved,
  };
}
