import { z } from 'zod';
import type { BackoffOptions } from './backoff.js';

export interface DrainOptions extends BackoffOptions {
  /**
   * Gaps claimed per round trip (and synced per collection in one transaction). Most of a small batch
   * is fixed statement cost: 500 drains ~1.8× faster than 100 (`npm run bench -- --dual-write`).
   * @defaultValue 500
   */
  batchSize: number;
  /** Attempts before a gap is `dead` (left for `strangler gaps --retry-dead`). @defaultValue 10 */
  maxAttempts: number;
  /**
   * How long a claimed gap is withheld from other drains. A drain that dies mid-batch leaves its gaps to
   * the next drain after this; one that is merely slow only risks a second, harmless sync of the same
   * documents. @defaultValue 300000 (5 min)
   */
  leaseMs: number;
  /** A drain stops claiming new batches after this long; the next scheduled one carries on. @defaultValue 20000 */
  budgetMs: number;
}

export const DRAIN_DEFAULTS = {
  batchSize: 500,
  maxAttempts: 10,
  baseDelayMs: 5_000,
  maxDelayMs: 3_600_000,
  jitter: 0.5,
  leaseMs: 300_000,
  budgetMs: 20_000,
} as const satisfies DrainOptions;

/** The options a drain job may carry (src/jobs/gaps/drain.ts); anything left out takes its default. */
export const drainOptionsSchema = z.strictObject({
  batchSize: z.int().min(1).max(5_000).optional(),
  maxAttempts: z.int().min(1).optional(),
  baseDelayMs: z.int().min(0).optional(),
  maxDelayMs: z.int().min(0).optional(),
  jitter: z.number().min(0).max(1).optional(),
  leaseMs: z.int().min(1_000).optional(),
  budgetMs: z.int().min(0).optional(),
});

export type DrainOptionsInput = z.output<typeof drainOptionsSchema>;

export function drainOptions(input: DrainOptionsInput = {}): DrainOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  return { ...DRAIN_DEFAULTS, ...defined };
}
