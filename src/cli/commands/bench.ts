import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { checkPostgres, checkRedis } from '../preflight.js';
import { parsePositiveInt } from './options.js';

interface BenchCommandOptions {
  docs: number;
  workers: number;
  concurrency: number;
  chunkSize: number;
  json: boolean;
  scale: boolean;
  keep: boolean;
  dbName: string;
  dualWrite: boolean;
  withDualWrite: boolean;
  dualWriteSeconds: number;
  gapDocs: number;
}

// Database names are interpolated into DDL (quoted), but a plain identifier keeps them easy to find and drop.
const DB_NAME = /^[a-z_][a-z0-9_]{0,40}$/;

function parseDbName(value: string): string {
  if (!DB_NAME.test(value)) throw new InvalidArgumentError(`--db-name must match ${DB_NAME.source}`);
  return value;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'measure the backfill (real worker processes) against a raw COPY ceiling and a naive loop, side by side; ' +
        'with --dual-write, mongo vs dual vs pg latency and the gap drain rate',
    )
    .option('--docs <n>', 'synthetic documents in the source', parsePositiveInt('--docs'), 200_000)
    .option('--workers <n>', 'worker processes', parsePositiveInt('--workers'), 2)
    .option('--concurrency <n>', 'jobs at once per worker process', parsePositiveInt('--concurrency'), 4)
    .option('--chunk-size <n>', 'documents per chunk job', parsePositiveInt('--chunk-size'), 2000)
    .option('--json', 'print the figures as one JSON line on stdout', false)
    .option('--no-scale', 'skip the second run that checks worker memory against collection size')
    .option('--keep', 'keep the bench databases instead of dropping them', false)
    .option(
      '--db-name <name>',
      'base name of the bench databases on the PG_URL server',
      parseDbName,
      'strangler_bench',
    )
    .option(
      '--dual-write',
      'measure only the dual-write half: latency in mongo vs dual vs pg mode, gap drain rate',
      false,
    )
    .option('--with-dual-write', 'add the dual-write half (about 4 more minutes) to the full run', false)
    .option(
      '--dual-write-seconds <n>',
      'measured traffic seconds per mode (mongo, dual, pg; then pg vs decommissioned)',
      parsePositiveInt('--dual-write-seconds'),
      15,
    )
    .option('--gap-docs <n>', 'gaps per timed drain run', parsePositiveInt('--gap-docs'), 20_000)
    .action(async (options: BenchCommandOptions) => {
      const config = loadConfig();
      await Promise.all([
        checkPostgres(new URL('/postgres', config.PG_URL).toString()),
        checkRedis(config.REDIS_URL),
      ]);
      // Loaded on use, so `strangler --help` and unrelated commands stay fast.
      const { DUAL_WRITE_DEFAULTS } = await import('../../bench/dualWrite/run.js');
      const { json, dualWrite, withDualWrite, dualWriteSeconds, gapDocs, ...benchOptions } = options;
      const dualWriteOptions = {
        ...DUAL_WRITE_DEFAULTS,
        secondsPerMode: dualWriteSeconds,
        gapDocs,
        dbName: options.dbName,
        keep: options.keep,
      };
      if (dualWrite) {
        const { runDualWriteBench } = await import('../../bench/dualWrite/bench.js');
        const { formatDualWriteSummary } = await import('../../bench/dualWrite/summary.js');
        const result = await runDualWriteBench(config, dualWriteOptions);
        process.stderr.write(formatDualWriteSummary(result.dualWrite));
        if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const { runBench } = await import('../../bench/run.js');
      const { formatSummary } = await import('../../bench/summary.js');
      const result = await runBench(config, {
        ...benchOptions,
        dualWrite: withDualWrite ? dualWriteOptions : null,
      });
      process.stderr.write(formatSummary(result));
      if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
