import { planRanges } from '../../src/backfill/plan.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { verifyRange, type Mismatch, type RangeVerdict } from '../../src/verify/index.js';
import type { TestStack } from '../support/stack.js';

/** Every range of one collection verified, the verdicts summed (small chunks, so ranges really split). */
export async function verifyCollection(stack: TestStack, collection: string): Promise<RangeVerdict> {
  const total: RangeVerdict = {
    compared: 0,
    matched: 0,
    accounted: { rejected: 0, deleted: 0, gapOpen: 0 },
    mismatches: [],
    hashes: { mongo: '', pg: '' },
  };
  for (const range of await planRanges(stack.source, collection, 50)) {
    const verdict = await verifyRange(stack.pg.db.$client, stack.source, collection, range);
    total.compared += verdict.compared;
    total.matched += verdict.matched;
    total.accounted.rejected += verdict.accounted.rejected;
    total.accounted.deleted += verdict.accounted.deleted;
    total.accounted.gapOpen += verdict.accounted.gapOpen;
    total.mismatches.push(...verdict.mismatches);
  }
  return total;
}

/** The essentials of mismatches, for exact assertions. */
export const brief = (mismatches: readonly Mismatch[]) =>
  mismatches.map(({ legacyId, kind, columns }) => ({ legacyId, kind, columns }));

export const ALL_COLLECTIONS = REGISTRY.order;
