import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import type { VerificationProgress, VerificationReport } from '../../verify/run/report.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { CliError } from '../errors.js';
import { connect } from '../connect.js';
import { parseCollections, parseNonNegativeInt, parsePositiveInt } from './options.js';

interface VerifyOptions {
  collections: string;
  json?: boolean;
  repair?: boolean;
  lagMs?: number;
  rangeSize?: number;
  stuckAfter: number;
}

/** Exit codes of `verify`: 0 all green, 1 anything red (or failed), 4 nothing runs the jobs. */
const EXIT_RED = 1;
const EXIT_STUCK = 4;

function requester(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'compare MongoDB and Postgres per _id range, plus counts and money; exit 0 when all is green, 1 when red',
    )
    .option('--collections <list>', 'comma-separated Mongo collection names, or all', 'all')
    .option('--json', 'print {"collections":[{"name","status","mismatches":[{"id","kind","columns"}],…}]}')
    .option('--repair', 'sync confirmed mismatches from MongoDB (as a dual write would), then recheck them')
    .option(
      '--lag-ms <ms>',
      'wait this long before each recheck of a mismatch (default VERIFY_LAG_MS, 5000)',
      parseNonNegativeInt('--lag-ms'),
    )
    .option('--range-size <n>', 'documents per range job (default 2000)', parsePositiveInt('--range-size'))
    .option(
      '--stuck-after <s>',
      'give up (exit 4) when nothing moved for this long and no worker serves the verify queue',
      parsePositiveInt('--stuck-after'),
      30,
    )
    .action(async (options: VerifyOptions) => {
      const collections = await parseCollections(options.collections);
      const config = loadConfig();
      const { startVerification } = await import('../../verify/run/start.js');
      const { verificationReport } = await import('../../verify/run/report.js');
      const deps = await connect(config);
      try {
        const { runId } = await startVerification(
          { pool: deps.db.$client, queue: deps.queues.verify, deployment: deps.deployment },
          {
            collections,
            repair: options.repair ?? false,
            requestedBy: requester(),
            lagMs: options.lagMs ?? config.VERIFY_LAG_MS,
            rangeSize: options.rangeSize,
          },
        );
        process.stderr.write(`verification ${runId} started; also at GET /api/verifications/${runId}\n`);
        await waitForVerification(deps, runId, options.stuckAfter * 1000);
        const report = await verificationReport(deps.db.$client, runId);
        if (!report) throw new CliError(`verification ${runId} vanished`, EXIT_RED);
        process.stdout.write(options.json ? `${JSON.stringify(jsonReport(report))}\n` : table(report));
        if (report.status !== 'green') {
          const red = report.collections.filter((c) => c.status !== 'green').map((c) => c.name);
          throw new CliError(`verification ${runId} is ${report.status}: ${red.join(', ')}`, EXIT_RED);
        }
        process.stderr.write(`verification ${runId} green\n`);
      } finally {
        await deps.close();
      }
    });
}

/** DESIGN.md's `verify --json`: `mismatches[].id` is the legacy id. */
export function jsonReport(report: VerificationReport) {
  const brief = (m: { id: string; kind: string; columns: string[] }) => ({
    id: m.id,
    kind: m.kind,
    columns: m.columns,
  });
  return {
    runId: report.runId,
    status: report.status === 'green' ? 'green' : 'red',
    collections: report.collections.map((c) => ({
      name: c.name,
      status: c.status === 'green' ? 'green' : 'red',
      mismatches: c.mismatches.map((m) => ({
        ...brief(m),
        status: m.status,
        firstSeenAt: m.firstSeenAt,
      })),
      repaired: c.repaired.map(brief),
      tallies: c.tallies,
      counts: c.counts,
      money: c.money,
      error: c.error,
    })),
  };
}

function table(report: VerificationReport): string {
  const lines = report.collections.map((c) => {
    const listed = c.mismatches
      .slice(0, 5)
      .map((m) => `${m.id} ${m.kind}${m.columns.length > 0 ? ` (${m.columns.join(', ')})` : ''}`);
    const more = c.tallies.confirmed > listed.length ? ` …+${c.tallies.confirmed - listed.length}` : '';
    return [
      c.name.padEnd(24),
      c.status.padEnd(6),
      `confirmed ${c.tallies.confirmed}, cleared ${c.tallies.cleared}, repaired ${c.tallies.repaired}`,
      c.error ? `error: ${c.error}` : listed.join('; ') + more,
    ].join('  ');
  });
  return `${lines.join('\n')}\n`;
}

async function waitForVerification(deps: WorkerDeps, runId: string, stuckAfterMs: number): Promise<void> {
  const { verificationProgress } = await import('../../verify/run/report.js');
  const { consumersOf, noConsumerHint } = await import('../../queue/consumers.js');
  const consumers = await consumersOf(deps.queues.verify, deps.deployment);
  if (consumers.ours === 0) {
    process.stderr.write(`${noConsumerHint('verify', consumers)} yet: start one with \`strangler worker\`\n`);
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const display = await progressDisplay(process.stderr);
  let signature = '';
  let movedAt = Date.now();
  try {
    for (;;) {
      const progress = await verificationProgress(deps.db.$client, runId);
      if (!progress) throw new CliError(`verification ${runId} not found`, EXIT_RED);
      display.update(progress);
      if (progress.status !== 'running') return;
      if (abort.signal.aborted) {
        throw new CliError(
          `stopped watching; verification ${runId} goes on (GET /api/verifications/${runId})`,
          130,
        );
      }
      const now = Date.now();
      const current = JSON.stringify(progress.collections);
      if (current !== signature) {
        signature = current;
        movedAt = now;
      } else if (now - movedAt >= stuckAfterMs) {
        const reason = await whyStuck(deps, progress);
        if (reason !== null) {
          throw new CliError(
            `verification ${runId} is stuck: nothing moved for ${Math.round((now - movedAt) / 1000)}s and ${reason}`,
            EXIT_STUCK,
          );
        }
        movedAt = now;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } finally {
    display.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Why the run cannot move on its own, or null while it can: no worker of this deployment serves the
 * verify queue, or the job of every collection still running is gone from Redis or failed for good (a
 * stall past BullMQ's limit fails a job without running its code, so nothing recorded the result).
 */
async function whyStuck(deps: WorkerDeps, progress: VerificationProgress): Promise<string | null> {
  const { consumersOf } = await import('../../queue/consumers.js');
  const { ours } = await consumersOf(deps.queues.verify, deps.deployment);
  if (ours === 0) {
    return 'no worker of this deployment serves the verify queue; start one with `strangler worker`';
  }
  const { Job } = await import('bullmq');
  const { collectionJobId } = await import('../../verify/run/jobIds.js');
  const running = progress.collections.filter((c) => c.status === 'running');
  const dead: string[] = [];
  for (const c of running) {
    const job = await Job.fromId(deps.queues.verify, collectionJobId(progress.runId, c.name));
    const state = job ? await job.getState() : 'missing';
    if (state === 'failed' || state === 'missing' || state === 'unknown') dead.push(`${c.name} (${state})`);
  }
  if (running.length === 0 || dead.length < running.length) return null;
  return `the jobs of ${dead.join(', ')} are no longer in the verify queue: start a new verification`;
}

interface Display {
  update(progress: VerificationProgress): void;
  stop(): void;
}

/** A bar per collection (ranges done) on a terminal; elsewhere a plain line every few seconds. */
async function progressDisplay(stream: NodeJS.WriteStream): Promise<Display> {
  if (!stream.isTTY) {
    let last = 0;
    return {
      update(progress) {
        if (Date.now() - last < 5_000 && progress.status === 'running') return;
        last = Date.now();
        const parts = progress.collections.map(
          (c) => `${c.name} ${c.status} ${c.rangesDone}/${c.rangesPlanned ?? '?'}`,
        );
        stream.write(`verification ${progress.runId} ${progress.status}: ${parts.join(', ')}\n`);
      },
      stop: () => undefined,
    };
  }
  const { MultiBar, Presets } = await import('cli-progress');
  const multibar = new MultiBar(
    {
      stream,
      format: ' {name} [{bar}] {ranges} ranges | {status}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, ReturnType<typeof multibar.create>>();
  return {
    update(progress) {
      const pad = Math.max(5, ...progress.collections.map((c) => c.name.length));
      for (const c of progress.collections) {
        const payload = {
          name: c.name.padEnd(pad),
          ranges: `${c.rangesDone}/${c.rangesPlanned ?? '?'}`,
          status: c.status,
        };
        const bar = bars.get(c.name) ?? multibar.create(1, 0, payload);
        bars.set(c.name, bar);
        bar.setTotal(Math.max(c.rangesPlanned ?? 1, 1));
        bar.update(c.status === 'running' ? c.rangesDone : Math.max(c.rangesPlanned ?? 1, 1), payload);
      }
    },
    stop: () => multibar.stop(),
  };
}
