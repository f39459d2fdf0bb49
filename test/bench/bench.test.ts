import { describe, expect, it } from 'vitest';
import { LatencyBook, LATENCY_MODES, sideBySide } from '../../src/bench/dualWrite/latencies.js';
import { slicePlan } from '../../src/bench/dualWrite/latency.js';
import { formatDualWriteSummary } from '../../src/bench/dualWrite/summary.js';
import type { DualWriteResult } from '../../src/bench/dualWrite/result.js';
import { runCli } from '../support/cli.js';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL, pgUrlFor } from '../support/env.js';

/** Figures the bench reports as finite positive numbers, with --no-scale too. */
const NUMERIC_KEYS = [
  'docs',
  'rowsWritten',
  'backfillSeconds',
  'docsPerSec',
  'copySeconds',
  'copyCeilingRowsPerSec',
  'ratioToCopy',
  'naiveSample',
  'naiveDocsPerSec',
  'speedupVsNaive',
  'peakRssMb',
  'rssAtN',
] as const;

/**
 * `strangler bench` end to end on a tiny source: the shape of its one JSON line, never its timings
 * (tests do not assert wall-clock figures). Its databases get a name of their own, so a real bench run
 * on the same server is not disturbed.
 */
describe('strangler bench', () => {
  it('prints one JSON line with every figure and cleans up after itself', async () => {
    const dbName = `strangler_bench_t_${process.pid}`;
    const result = await runCli(
      ['bench', '--docs', '3000', '--workers', '1', '--json', '--no-scale', '--db-name', dbName],
      { PG_URL: pgUrlFor(dbName), REDIS_URL: TEST_REDIS_URL },
      110_000,
    );
    expect(result.stderr).toMatch(/ratio to COPY/);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const figures = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const key of NUMERIC_KEYS) {
      const value = figures[key];
      expect(
        typeof value === 'number' && Number.isFinite(value) && value > 0,
        `${key} = ${String(value)}`,
      ).toBe(true);
    }
    expect(figures).toMatchObject({
      scale: 'skipped',
      rssAt4N: null,
      rssRatio: null,
      targets: {
        ratioToCopy: 0.5,
        speedupVsNaive: 30,
        peakRssMb: 300,
        rssRatio: 1.2,
        verifyRatioToBackfill: 0.5,
      },
    });
    // Verification of the same data, timed beside the backfill: green, its ratio the two times' quotient.
    expect(result.stderr).toMatch(/verify ÷ backfill/);
    const verify = figures.verify as Record<string, unknown>;
    expect(verify).toMatchObject({ status: 'green', red: [] });
    for (const key of ['seconds', 'docsPerSec', 'ratioToBackfill'])
      expect(Number.isFinite(verify[key]) && (verify[key] as number) > 0, `verify.${key}`).toBe(true);
    expect(verify.ratioToBackfill).toBeCloseTo(
      (verify.seconds as number) / (figures.backfillSeconds as number),
      6,
    );
    const stages = figures.stages as Record<string, unknown>;
    for (const key of ['readDocsPerSec', 'mapDocsPerSec', 'writeDocsPerSec'])
      expect(Number.isFinite(stages[key]) && (stages[key] as number) > 0, key).toBe(true);
    // CPU figures: the worker's from process.cpuUsage() anywhere; Postgres's from /proc, so on Linux with
    // the server on this machine (as the test server is) and null elsewhere.
    const workerCpu = stages.workerCpuUsPerDoc as Record<string, unknown>;
    for (const key of ['read', 'map', 'write', 'total'])
      expect(isPositive(workerCpu[key]), `stages.workerCpuUsPerDoc.${key}`).toBe(true);
    const onLinux = process.platform === 'linux';
    expect(onLinux ? isPositive(stages.postgresCpuUsPerDoc) : stages.postgresCpuUsPerDoc === null).toBe(true);
    const postgresCpu = figures.postgresCpuPer1000Rows as Record<string, unknown>;
    for (const key of ['backfill', 'copy', 'ratio'])
      expect(
        onLinux ? isPositive(postgresCpu[key]) : postgresCpu[key] === null,
        `postgresCpuPer1000Rows.${key} = ${String(postgresCpu[key])}`,
      ).toBe(true);
    expect(result.stderr).toMatch(/Postgres CPU per 1,000 rows: backfill/);
    expect(result.stderr).toMatch(/worker CPU per doc: read/);
    const met = figures.met as Record<string, unknown>;
    for (const key of ['ratioToCopy', 'speedupVsNaive', 'peakRssMb', 'verifyRatioToBackfill'])
      expect(typeof met[key]).toBe('boolean');

    // Nothing left behind: the bench drops its databases (no --keep).
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
        `${dbName}%`,
      ]);
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
  }, 120_000);
});

/**
 * The dual-write half's pure parts (its run needs minutes of traffic): the slice plan interleaves the
 * three modes evenly, and the figures carry pg beside mongo and dual, in the JSON and the table.
 */
describe('strangler bench --dual-write figures', () => {
  it('interleaves mongo, dual and pg with the same mean position', () => {
    const plan = slicePlan(12);
    for (const mode of LATENCY_MODES) {
      const at = plan.flatMap((m, i) => (m === mode ? [i] : []));
      expect(at, mode).toHaveLength(4);
      expect(at.reduce((a, b) => a + b, 0) / at.length, mode).toBe((plan.length - 1) / 2);
    }
  });

  it('reports pg p50/p99 and its ratios to mongo and dual', () => {
    const book = new LatencyBook(LATENCY_MODES);
    for (const [mode, ms] of [
      ['mongo', 10],
      ['dual', 20],
      ['pg', 30],
    ] as const) {
      for (let i = 0; i < 10; i += 1) book.record('checkout', mode, ms, false);
    }
    const figures = sideBySide(book.figures('checkout'));
    expect(figures).toMatchObject({
      mongo: { ops: 10, p50Ms: 10 },
      dual: { ops: 10, p50Ms: 20 },
      pg: { ops: 10, errors: 0, p50Ms: 30, p99Ms: 30 },
      overheadP50Ms: 10,
      ratioP50: 2,
      pgToMongoP50: 3,
      pgToDualP50: 1.5,
    });
    const table = formatDualWriteSummary(resultWith(figures));
    expect(table).toMatch(/pg p50\/p99 ms/);
    expect(table).toMatch(/checkout .*30\.0 \/ 30\.0 .*3\.00× .*1\.50×/);
  });
});

const isPositive = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

function resultWith(figures: ReturnType<typeof sideBySide>): DualWriteResult {
  return {
    latency: {
      secondsPerMode: 1,
      slices: slicePlan(6),
      concurrency: 1,
      seed: 1,
      warmupOps: 0,
      caughtUpDocs: 0,
      drainedGaps: { forward: 0, reverse: 0 },
      byOp: { checkout: figures },
      overall: figures,
      byWrite: {},
      perWrite: figures,
      throughput: { mongo: 1, dual: 1, pg: 1 },
      mirrorCost: null,
    },
    gaps: {
      collection: 'users',
      runs: [],
      gapsPerSec: 0,
      bestSingle: {
        batchSize: 1,
        drains: 1,
        state: 'update',
        gaps: 0,
        seconds: 0,
        gapsPerSec: 0,
        batches: 0,
        resolved: 0,
        failed: 0,
      },
      profiles: [],
    },
    targets: { gapsPerSec: 5_000 },
    met: { gapsPerSec: false, bestSingleGapsPerSec: false },
    loadAverage: { before: 0, after: 0 },
    seconds: 1,
  };
}
