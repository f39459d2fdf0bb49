import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config/env.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { CliError } from '../errors.js';
import { connect } from '../connect.js';
import { parseCollections, parsePositiveInt } from './options.js';

interface BackfillOptions {
  collections: string;
  since?: string;
  chunkSize?: string;
  wait?: boolean;
  stuckAfter: number;
}

/** Exit codes of `backfill`: 1 the run failed (or was refused), 4 --wait found it stuck. */
const EXIT_FAILED = 1;
const EXIT_STUCK = 4;

/** Same bounds as POST /api/backfills. */
const CHUNK_MIN = 100;
const CHUNK_MAX = 50_000;

// Checked in the action, not by a commander parser: a CliError is one line, while a commander
// argument error is followed by the whole help text (showHelpAfterError).
function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // An offset is required: a zone-less time would mean a different instant on every host.
  if (!z.iso.datetime({ offset: true }).safeParse(value).success) {
    throw new CliError(
      `--since: "${value}" is not an ISO 8601 date-time with a zone (e.g. 2024-05-01T00:00:00Z)`,
      2,
    );
  }
  return new Date(value);
}

function parseChunkSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < CHUNK_MIN || n > CHUNK_MAX) {
    throw new CliError(`--chunk-size: must be an integer from ${CHUNK_MIN} to ${CHUNK_MAX}`, 2);
  }
  return n;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('copy collections from MongoDB into Postgres (parents first); prints the run id')
    .option('--collections <list>', 'comma-separated Mongo collection names, or all', 'all')
    .option('--since <iso>', 'delta: only documents changed after this instant (ISO 8601 with a zone)')
    .option('--chunk-size <n>', `documents per chunk job (${CHUNK_MIN}..${CHUNK_MAX}, default 2000)`)
    .option(
      '--wait',
      `show progress until the run ends; exit ${EXIT_FAILED} if it failed, ${EXIT_STUCK} if stuck`,
    )
    .option(
      '--stuck-after <s>',
      'with --wait: call the run stuck when nothing moved for this long and BullMQ holds nothing of it',
      parsePositiveInt('--stuck-after'),
      30,
    )
    .action(async (options: BackfillOptions) => {
      const since = parseSince(options.since);
      const chunkSize = parseChunkSize(options.chunkSize);
      const collections = await parseCollections(options.collections);
      const config = loadConfig();
      const { startBackfill, RunConflictError } = await import('../../backfill/start.js');
      const { consumersOf, noConsumerHint } = await import('../../queue/consumers.js');
      const deps = await connect(config);
      try {
        const { runId } = await startBackfill(deps, {
          collections,
          since,
          chunkSize,
        }).catch((error: unknown) => {
          if (error instanceof RunConflictError) throw new CliError(error.message, EXIT_FAILED);
          throw error;
        });
        // The id alone on stdout, so `run=$(strangler backfill)` works; the rest goes to stderr.
        process.stdout.write(`${runId}\n`);
        const consumers = await consumersOf(deps.queues.backfill, deps.deployment);
        if (consumers.ours === 0) {
          // Not an error: workers may start later and will pick the run up. But say so, or --wait looks hung.
          process.stderr.write(
            `${noConsumerHint('backfill', consumers)} yet: start one with \`strangler worker\`\n`,
          );
        }
        if (!options.wait) {
          process.stderr.write(
            `backfill ${runId} started; follow it with --wait or GET /api/backfills/${runId}\n`,
          );
          return;
        }
        await waitForRun(deps, runId, options.stuckAfter * 1000);
      } finally {
        await deps.close();
      }
    });
}

/**
 * Why the run cannot move on its own, or null while it can: something of it is running, waiting for a
 * worker (even with no worker up yet: one may start) or delayed for a retry.
 */
async function whyStuck(deps: WorkerDeps, runId: string): Promise<string | null> {
  const { runLiveness } = await import('../../queue/runLiveness.js');
  const { consumersOf, noConsumerHint } = await import('../../queue/consumers.js');
  const liveness = await runLiveness(deps.queues.backfill, runId);
  if (liveness.live > 0) return null;
  const what = !liveness.rootPresent
    ? 'Redis holds no job of it any more (restarted without persistence, or flushed)'
    : liveness.parked.length > 0
      ? `${liveness.parked.join(', ')} parked in the queue with nothing left to release them`
      : liveness.waitingForChunks.length > 0
        ? `${liveness.waitingForChunks.join(', ')} waiting for chunk jobs that Redis no longer holds`
        : 'no job of it is waiting, delayed or running in the backfill queue';
  const consumers = await consumersOf(deps.queues.backfill, deps.deployment);
  const todo =
    consumers.ours === 0
      ? `${noConsumerHint('backfill', consumers)}: start one with \`strangler worker\``
      : 'restart the workers (`strangler worker`)';
  // resumeInterruptedRuns (src/backfill/start.ts) is what a starting worker does about each of these.
  return (
    `${what}. To resume it, ${todo}: on start, workers rebuild the jobs of runs that cannot move ` +
    `(lost by Redis, or parked with their parents done) from Postgres, without redoing finished chunks`
  );
}

async function waitForRun(deps: WorkerDeps, runId: string, stuckAfterMs: number): Promise<void> {
  const { getRunProgress } = await import('../../backfill/progress.js');
  const { watchRun, summaryTable, RunStuckError } = await import('../progress.js');
  // Ctrl-C stops watching, not the run: the workers carry on without this process.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const progress = await watchRun({
      poll: () => getRunProgress(deps.db, runId),
      signal: abort.signal,
      stuck: () => whyStuck(deps, runId),
      stuckAfterMs,
    }).catch((error: unknown) => {
      if (!(error instanceof RunStuckError)) throw error;
      process.stdout.write(summaryTable(error.progress));
      throw new CliError(
        `backfill ${runId} is stuck: nothing moved for ${Math.round(error.idleMs / 1000)}s and ${error.reason}. ` +
          `It is still recorded as running; only this command stopped watching.`,
        EXIT_STUCK,
      );
    });
    process.stdout.write(summaryTable(progress));
    if (abort.signal.aborted && progress.status === 'running') {
      throw new CliError(
        `stopped watching; backfill ${runId} goes on (strangler status, GET /api/backfills/${runId})`,
        130,
      );
    }
    if (progress.status === 'failed') {
      throw new CliError(
        `backfill ${runId} failed: ${progress.error ?? 'see the collections above'}`,
        EXIT_FAILED,
      );
    }
    process.stderr.write(
      `backfill ${runId} completed: ${progress.totals.docsWritten} documents written, ${progress.totals.docsRejected} rejected\n`,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
