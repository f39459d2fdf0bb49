import type { Logger } from '../logger.js';
import { syncDocuments } from '../sync/syncDocuments.js';
import { allSucceeded, drainGapBatches, type DrainDirection, type GapDrainCounts } from './drainLoop.js';
import { decodeGapIds } from './ids.js';
import { moveFallbackIntoGaps } from './moveFallback.js';
import { drainOptions, type DrainOptionsInput } from './options.js';
import type { GapStores } from './record.js';

export interface DrainResult extends GapDrainCounts {
  /** Records moved in from the fallback store first. */
  moved: number;
}

export interface DrainContext extends GapStores {
  log?: Logger;
}

/**
 * One drain of the forward gaps: bring each due gap's document into Postgres as MongoDB has it now,
 * through syncDocuments (the one operation; no mapping of its own here).
 *
 *   1. move the fallback store's records into the table (Postgres was down when they failed);
 *   2. claim a batch of due forward gaps (SKIP LOCKED + a lease: drains on every worker take disjoint
 *      batches); reverse gaps are not claimed, their own drain writes them back to MongoDB;
 *   3. per collection, parents first, sync the batch's documents in one call; if that call fails, sync
 *      them one by one, so one bad document does not hold back the others and each failure gets its own
 *      error (not when a store is out of reach: then the whole batch fails at once, and backs off);
 *      each sync links what it wrote (src/backfill/link.ts linkDocuments);
 *   4. resolve what synced; back off what failed (exponential + jitter), `dead` after maxAttempts;
 *   5. repeat while batches come back full and the time budget lasts.
 *
 * Steps 2 to 5 are the loop both drains share (src/gaps/drainLoop.ts); the time budget counts the move.
 */
export async function drainGaps(ctx: DrainContext, input: DrainOptionsInput = {}): Promise<DrainResult> {
  const options = drainOptions(input);
  const started = Date.now();
  let moved = 0;
  try {
    moved = await moveFallbackIntoGaps(ctx);
  } catch (error) {
    // The table's own gaps can still drain; the records wait in MongoDB for the next drain.
    ctx.log?.warn({ err: error }, 'gaps: cannot move the fallback store into the table yet');
  }
  return { moved, ...(await drainGapBatches(ctx.pool, forward(ctx), options, started)) };
}

/** A forward gap's document, synced from MongoDB into Postgres. */
function forward(ctx: DrainContext): DrainDirection<unknown[]> {
  return {
    direction: 'forward',
    parentsFirst: true,
    // A gap without id_json may name its document both ways (src/gaps/ids.ts); the sync takes the one that exists.
    targetOf: (gap) => decodeGapIds(gap.idJson, gap.legacyId),
    apply: async (collection, members) => {
      await syncDocuments(
        ctx.pool,
        ctx.mongo,
        collection,
        members.flatMap((m) => m.target),
      );
      return allSucceeded(members);
    },
  };
}
