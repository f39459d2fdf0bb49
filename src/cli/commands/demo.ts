import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../logger.js';
import { parseNonNegativeInt, parsePositiveInt } from './options.js';
import { checkPostgres, checkRedis } from '../preflight.js';

interface DemoOptions {
  docs: number;
  seed: number;
  exit: boolean;
  port: number;
  concurrency: number;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'embedded MongoDB seeded with a synthetic marketplace, migrated into Postgres by in-process workers',
    )
    .option('--docs <n>', 'synthetic legacy documents to seed', parsePositiveInt('--docs'), 50_000)
    .option('--seed <n>', 'PRNG seed of the generator', parseNonNegativeInt('--seed'), 42)
    .option('--port <n>', 'board port (0 = any free port)', parseNonNegativeInt('--port'))
    .option('--concurrency <n>', 'chunk jobs at once', parsePositiveInt('--concurrency'), 4)
    .option('--exit', 'exit after the summary instead of keeping the board up', false)
    .action(async (options: DemoOptions) => {
      const config = loadConfig();
      await Promise.all([
        checkPostgres(new URL('/postgres', config.PG_URL).toString()),
        checkRedis(config.REDIS_URL),
      ]);
      const { runDemo } = await import('../../demo/run.js');
      await runDemo(
        config,
        { ...options, port: options.port ?? config.PORT },
        createLogger(config.LOG_LEVEL, { role: 'demo' }),
      );
    });
}
