import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { checkPostgres, checkRedis } from '../preflight.js';
import { parseNonNegativeInt, parsePositiveInt } from './options.js';

interface TrafficOptions {
  rate: number;
  duration: number;
  concurrency: number;
  seed?: number;
  json: boolean;
}

export function registerTraffic(program: Command): void {
  program
    .command('traffic')
    .description(
      'drive a marketplace workload through the repositories (in the live modes) against MONGO_URL and PG_URL',
    )
    .option(
      '--rate <n>',
      'operations per second in total; 0 for as fast as the concurrency allows',
      parseNonNegativeInt('--rate'),
      50,
    )
    .option('--duration <s>', 'seconds to run', parsePositiveInt('--duration'), 30)
    .option('--concurrency <c>', 'calls in flight at most', parsePositiveInt('--concurrency'), 8)
    .option('--seed <n>', 'seed of the operation mix (default: random)', parseNonNegativeInt('--seed'))
    .option(
      '--json',
      'one JSON progress line per second on stderr, and the figures as the last line on stdout',
      false,
    )
    .action(async (options: TrafficOptions) => {
      const config = loadConfig();
      await Promise.all([checkPostgres(config.PG_URL), checkRedis(config.REDIS_URL)]);
      const { driveTraffic } = await import('../../traffic/drive.js');
      const figures = await driveTraffic(config, {
        rate: options.rate,
        durationMs: options.duration * 1_000,
        concurrency: options.concurrency,
        seed: options.seed,
        json: options.json,
      });
      const line = JSON.stringify(figures);
      if (options.json) process.stdout.write(`${line}\n`);
      else
        process.stdout.write(
          `${figures.ops} operations, ${figures.acked} acknowledged, ${figures.refused} refused by a domain rule, ` +
            `${figures.callerErrors} caller errors; p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms\n${line}\n`,
        );
      // Caller errors are what the workload is there to catch: a non-zero exit makes them impossible to miss.
      process.exitCode = figures.callerErrors > 0 ? 1 : 0;
    });
}
