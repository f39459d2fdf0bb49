import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../logger.js';
import { QUEUE_NAMES, isQueueName, type QueueName } from '../../queue/names.js';
import { startWorkers } from '../../workers/runtime.js';
import { resumeInterruptedRuns } from '../../backfill/start.js';
import { CliError } from '../errors.js';
import { connect } from '../connect.js';
import { parsePositiveInt } from './options.js';

function parseQueues(value: string): QueueName[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !isQueueName(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new CliError(
      `--queues: unknown queue "${unknown.join(',')}" (choose from ${QUEUE_NAMES.join(', ')})`,
      2,
    );
  }
  return names as QueueName[];
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process jobs until SIGTERM/SIGINT; run as many as you like, on any host')
    .option('--queues <list>', `comma-separated queues to consume`, QUEUE_NAMES.join(','))
    .option(
      '--concurrency <n>',
      'jobs at once per queue in this process',
      parsePositiveInt('--concurrency'),
      4,
    )
    .option(
      '--shutdown-timeout <ms>',
      'grace period for running jobs on shutdown',
      parsePositiveInt('--shutdown-timeout'),
      30_000,
    )
    .option(
      '--lock-duration <ms>',
      "job lock lifetime: how soon a dead worker's jobs are re-run elsewhere",
      parsePositiveInt('--lock-duration'),
      60_000,
    )
    .option(
      '--rate-limit <n>',
      'at most N backfill jobs (chunks, mostly) started per second across all workers: protects MongoDB',
      parsePositiveInt('--rate-limit'),
    )
    .action(
      async (options: {
        queues: string;
        concurrency: number;
        shutdownTimeout: number;
        lockDuration: number;
        rateLimit?: number;
      }) => {
        const queues = parseQueues(options.queues);
        const config = loadConfig();
        const log = createLogger(config.LOG_LEVEL, { role: 'worker' });
        const deps = await connect(config, log);
        const runtime = startWorkers(deps, {
          queues,
          concurrency: options.concurrency,
          shutdownTimeoutMs: options.shutdownTimeout,
          lockDurationMs: options.lockDuration,
          ...(options.rateLimit ? { rateLimitPerSecond: options.rateLimit } : {}),
        });
        const resumed = queues.includes('backfill') ? await resumeInterruptedRuns(deps) : [];
        if (resumed.length > 0) log.info({ runs: resumed }, 'resumed backfill runs that Redis had lost');
        log.info(
          { queues, concurrency: options.concurrency, deployment: deps.deployment },
          'worker started: serving only jobs enqueued for this deployment',
        );
        await new Promise<void>((resolve) => {
          const stop = async (signal: string) => {
            log.info({ signal }, 'shutting down: finishing running jobs');
            const { graceful } = await runtime.close();
            if (!graceful) {
              // Abandon what is still running: its Postgres transactions roll back when the connections
              // drop, and BullMQ re-runs those jobs on another worker once their locks expire.
              log.warn('shutdown timeout reached; abandoning running jobs to other workers');
              process.exit(0);
            }
            await deps.close();
            log.info('worker stopped');
            resolve();
          };
          process.once('SIGTERM', () => void stop('SIGTERM'));
          process.once('SIGINT', () => void stop('SIGINT'));
        });
      },
    );
}
