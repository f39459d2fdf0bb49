import {
  sweepCollections,
  type SweepContext,
  type SweepResult,
  type SweepRoundOptions,
} from './deltaSweep.js';
import { sweepReverse, type ReverseSweepResult } from './reverseSweep.js';

/**
 * A round of both sweeps: the forward one's result as it always was (its `collections` and totals, so
 * readers of the old shape keep working), with the reverse one's beside it under `reverse`.
 */
export interface SweepRoundResult extends SweepResult {
  reverse: ReverseSweepResult;
}

/**
 * Forward (dual collections: MongoDB → Postgres), then reverse (pg collections: Postgres → MongoDB).
 * Every collection is in one mode, so the two never sweep the same one; run one after the other so a
 * round holds one pool connection for its locks, not two. `overlapMs`/`batchSize` given apply to both;
 * each direction has its own defaults (src/sweep/options.ts).
 */
export async function sweepBothWays(
  ctx: SweepContext,
  options: SweepRoundOptions = {},
): Promise<SweepRoundResult> {
  const forward = await sweepCollections(ctx, options);
  const reverse = await sweepReverse(ctx, options);
  return { ...forward, reverse };
}
