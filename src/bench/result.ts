import type { CpuShare } from './backfillRun.js';
import type { DualWriteResult } from './dualWrite/result.js';
import type { RunPhases } from './phases.js';
import type { PostgresCpuPer1000Rows } from './postgresCpu.js';
import type { WorkerCpuPerDoc } from './stages.js';
import type { VerifyMeasurement } from './verifyRun.js';

/** What the bench aims for (docs/… and the project brief); `met` says which the run reached. */
export const TARGETS = {
  /** Backfill rows/s ÷ raw COPY rows/s over the same rows: at least half of the ceiling. */
  ratioToCopy: 0.5,
  /** Backfill docs/s ÷ the naive one-statement-per-row loop's docs/s. */
  speedupVsNaive: 30,
  /** Max resident set of any worker process, MB. */
  peakRssMb: 300,
  /** Worker peak RSS at 4× the documents ÷ at 1×: memory must not grow with collection size. */
  rssRatio: 1.2,
  /** Verification seconds ÷ backfill seconds on the same data: verifying costs at most half. */
  verifyRatioToBackfill: 0.5,
} as const;

export type StageName = 'read' | 'map' | 'write';

export interface StagesReport {
  collection: string;
  chunkSize: number;
  readDocs: number;
  readDocsPerSec: number;
  mapDocsPerSec: number;
  writeDocs: number;
  /** copyChunk on documents already read: resolve + map + write + commit. */
  writeDocsPerSec: number;
  /** CPU µs of the bench process per document, by step (serial, real driver and pg client): a worker's cost. */
  workerCpuUsPerDoc: WorkerCpuPerDoc;
  /** CPU µs of the one Postgres backend serving the write step, per document; null without /proc. */
  postgresCpuUsPerDoc: number | null;
  /** Estimated share of a chunk's serial time per step (write = the copyChunk time minus mapping). */
  shares: Record<StageName, number>;
  /** The step with the largest share, in words: what a missed throughput target is bounded by. */
  bound: string;
  /** Cores in use during the backfill, by process, out of `coresAvailable`. */
  cores: CpuShare | null;
  coresAvailable: number;
}

/** How worker memory was compared across collection sizes (see run.ts for how the mode is chosen). */
export type ScaleMode = 'skipped' | '4N' | 'N/4';

export interface BenchResult {
  docs: number;
  docsRejected: number;
  workers: number;
  concurrency: number;
  chunkSize: number;
  rowsWritten: number;
  backfillSeconds: number;
  docsPerSec: number;
  backfillRowsPerSec: number;
  /** One verification of every collection right after the backfill, on its data (./verifyRun.ts). */
  verify: VerifyMeasurement;
  copyRows: number;
  copySeconds: number;
  copyCeilingRowsPerSec: number;
  ratioToCopy: number;
  /**
   * Postgres CPU seconds per 1,000 rows written, by the backfill (`rowsWritten`) and by the COPY ceiling
   * (`copyRows`): Postgres is what every worker host shares, so this decides how far the backfill scales
   * out. Counted over every postgres process on the machine, background writers included (./postgresCpu.ts).
   */
  postgresCpuPer1000Rows: PostgresCpuPer1000Rows;
  naiveSample: number;
  naiveRejected: number;
  naiveSeconds: number;
  naiveStatementsPerDoc: number;
  naiveDocsPerSec: number;
  speedupVsNaive: number;
  peakRssMb: number;
  perWorkerPeakRssMb: number[];
  /** Worker RSS once connected, before any job (Node, tsx, drivers): the part no chunk setting moves. */
  workerIdleRssMb: number;
  scale: ScaleMode;
  /** Document counts of the two runs compared: [smaller, 4× larger]; one entry when skipped. */
  rssScaleDocs: number[];
  /** Peak worker RSS of the smaller run (MB). */
  rssAtN: number;
  /** Peak worker RSS of the 4× larger run (MB); null when skipped. */
  rssAt4N: number | null;
  rssRatio: number | null;
  stages: StagesReport;
  /** Per collection, the run's time outside chunk copying (from the target's run bookkeeping). */
  phases: RunPhases;
  targets: typeof TARGETS;
  met: {
    ratioToCopy: boolean;
    speedupVsNaive: boolean;
    peakRssMb: boolean;
    rssRatio: boolean | null;
    verifyRatioToBackfill: boolean;
  };
  /** Present when the run included the dual-write half (`--with-dual-write`). */
  dualWrite?: DualWriteResult;
  totalSeconds: number;
}

export function metTargets(
  r: Pick<BenchResult, 'ratioToCopy' | 'speedupVsNaive' | 'peakRssMb' | 'rssRatio'> & {
    verifyRatioToBackfill: number;
  },
): BenchResult['met'] {
  return {
    ratioToCopy: r.ratioToCopy >= TARGETS.ratioToCopy,
    speedupVsNaive: r.speedupVsNaive >= TARGETS.speedupVsNaive,
    peakRssMb: r.peakRssMb <= TARGETS.peakRssMb,
    rssRatio: r.rssRatio === null ? null : r.rssRatio <= TARGETS.rssRatio,
    verifyRatioToBackfill: r.verifyRatioToBackfill <= TARGETS.verifyRatioToBackfill,
  };
}
