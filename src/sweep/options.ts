import { z } from 'zod';

export interface SweepOptions {
  /**
   * How far before the checkpoint each sweep starts reading: writers' clocks (Mongoose stamps
   * `updatedAt` on the app host) may lag Postgres', and a write may still be in flight when the
   * checkpoint is taken. Documents inside the overlap are read again, which is harmless (a sync of an
   * identical document writes nothing). @defaultValue 60000
   */
  overlapMs: number;
  /**
   * `_id`s synced per syncDocuments call (one Postgres transaction); reverse: per mirrorDocuments call.
   * @defaultValue 1000 (reverse: 500)
   */
  batchSize: number;
}

export const SWEEP_DEFAULTS = { overlapMs: 60_000, batchSize: 1_000 } as const satisfies SweepOptions;

/**
 * The reverse sweep's (src/sweep/reverseSweep.ts): the same overlap, for transactions in flight when
 * the checkpoint is taken (Postgres stamps a row when its statement runs, not when it commits), and
 * smaller batches: a mirrorDocuments call holds its documents' locks until MongoDB has answered.
 */
export const REVERSE_SWEEP_DEFAULTS = { overlapMs: 60_000, batchSize: 500 } as const satisfies SweepOptions;

/**
 * What a sweep job (src/jobs/sweep/sweep.ts) may carry; anything left out takes its default. Given
 * values apply to both directions.
 */
export const sweepOptionsSchema = z.strictObject({
  collections: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).optional(),
  overlapMs: z.int().min(0).optional(),
  batchSize: z.int().min(1).max(10_000).optional(),
});

export type SweepOptionsInput = z.output<typeof sweepOptionsSchema>;

export function sweepOptions(
  input: Partial<SweepOptions> = {},
  defaults: SweepOptions = SWEEP_DEFAULTS,
): SweepOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  return { ...defaults, ...defined };
}
