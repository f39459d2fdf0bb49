import { describe, expect, it } from 'vitest';
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
      targets: { ratioToCopy: 0.5, speedupVsNaive: 30, peakRssMb: 300, rssRatio: 1.2 },
    });
    const stages = figures.stages as Record<string, unknown>;
    for (const key of ['readDocsPerSec', 'mapDocsPerSec', 'writeDocsPerSec'])
      expect(Number.isFinite(stages[key]) && (stages[key] as number) > 0, key).toBe(true);
    const met = figures.met as Record<string, unknown>;
    for (const key of ['ratioToCopy', 'speedupVsNaive', 'peakRssMb']) expect(typeof met[key]).toBe('boolean');

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
