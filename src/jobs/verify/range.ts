import { z } from 'zod';
import { decodeBound, ID_TYPE_BRACKETS } from '../../backfill/ranges.js';
import { verifyRange } from '../../verify/run/engine.js';
import type { RangeTotals } from '../../verify/run/finish.js';
import { countRangeDone, recordMismatches } from '../../verify/run/store.js';
import { defineJob } from '../define.js';

/**
 * One `_id` range of one collection of a verification run: compare, record what differs as `settling`
 * (idempotent: one row per document and result), and hand the tallies to the collection job, which
 * reads its children's return values once they are all done.
 */
export const verifyRangeJob = defineJob({
  name: 'verify.range',
  queue: 'verify',
  payload: z.strictObject({
    runId: z.uuid(),
    collection: z.string(),
    resultId: z.int().positive(),
    rangeNo: z.int().nonnegative(),
    type: z.enum(ID_TYPE_BRACKETS),
    /** Bounds as canonical Extended JSON (encodeBound), so each keeps its exact BSON type. */
    lo: z.string().nullable(),
    hi: z.string().nullable(),
  }),
  async process({ collection, resultId, type, lo, hi }, deps): Promise<Omit<RangeTotals, 'ranges'>> {
    const pool = deps.db.$client;
    const verdict = await verifyRange(pool, deps.mongo, collection, {
      type,
      lo: decodeBound(lo),
      hi: decodeBound(hi),
    });
    await recordMismatches(pool, resultId, collection, verdict.mismatches);
    await countRangeDone(pool, resultId);
    return { compared: verdict.compared, matched: verdict.matched, accounted: verdict.accounted };
  },
});
