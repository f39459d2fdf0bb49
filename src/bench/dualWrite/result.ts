import type { DrainFigures } from './drainRate.js';
import type { LatencyReport } from './latency.js';
import type { DrainProfile } from './profile.js';

/** What the dual-write half aims for (issue 8). */
export const DUAL_WRITE_TARGETS = {
  /** Gaps a single drain (default batch size) resolves per second, documents changed since their rows. */
  gapsPerSec: 5_000,
} as const;

export interface DualWriteResult {
  latency: LatencyReport;
  gaps: {
    collection: string;
    /** Each drained backlog: one run per plan entry, `insert` first (empty tables), then `update`. */
    runs: DrainFigures[];
    /** The default drain (one drain, default batch size, rows there): the rate the target is about. */
    gapsPerSec: number;
    /** The fastest single-drain run, whatever its batch size. */
    bestSingle: DrainFigures;
    profiles: DrainProfile[];
  };
  targets: typeof DUAL_WRITE_TARGETS;
  met: { gapsPerSec: boolean; bestSingleGapsPerSec: boolean };
  /** The machine's 1-minute load average at start and end: other work on it skews every figure. */
  loadAverage: { before: number; after: number };
  seconds: number;
}
