import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/env.js';
import { verificationReport, type VerificationReport } from '../verify/run/report.js';
import { startVerification } from '../verify/run/start.js';
import type { BackfillSession } from './backfillRun.js';
import type { Cleanup } from './cleanup.js';
import { startWorkerFleet } from './workers.js';

/** Verification of the backfilled data, timed against the backfill of the same data. */
export interface VerifyMeasurement {
  /** Wall clock from `startVerification` until the run's `finishedAt` is set. */
  seconds: number;
  /** Source documents (as the backfill read them) ÷ seconds. */
  docsPerSec: number;
  /** The run's status: `green` is what the bench expects; `running` when it did not finish in time. */
  status: string;
  /** Verify seconds ÷ backfill seconds (target ≤ TARGETS.verifyRatioToBackfill). */
  ratioToBackfill: number;
  /** One line per collection that is not green, with why: empty when the run is green. */
  red: string[];
}

export interface VerifyRunOptions {
  config: Config;
  /** The backfill just measured: its source, filled target and connections are verified as they are. */
  session: BackfillSession;
  workers: number;
  concurrency: number;
  queuePrefix: string;
  cleanup: Cleanup;
  say: (line: string) => void;
}

const POLL_MS = 200;

/**
 * One verification of every collection through the real machinery, right after the backfill: the
 * same number of `strangler worker --queues verify` processes as the backfill had, a run started as
 * `strangler verify` starts it (no lag window: nothing writes meanwhile), timed until it finishes.
 */
export async function runMeasuredVerification(options: VerifyRunOptions): Promise<VerifyMeasurement> {
  const { config, session, say } = options;
  const { deps } = session;
  const fleet = startWorkerFleet({
    count: options.workers,
    concurrency: options.concurrency,
    queues: ['verify'],
    env: {
      PG_URL: session.targetUrl,
      MONGO_URL: session.source.url,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: options.queuePrefix,
      LOG_LEVEL: config.LOG_LEVEL,
      VERIFY_EVERY_MS: '0',
    },
  });
  let stopped: Promise<unknown> | undefined;
  const stop = () => (stopped ??= fleet.stop());
  options.cleanup.defer('stop the verify workers', async () => void (await stop()));
  try {
    await fleet.ready(deps.queues.verify);
    const backfill = session.measurement;
    const deadlineSeconds = 120 + 20 * backfill.seconds;
    const started = performance.now();
    const { runId } = await startVerification(
      { pool: deps.db.$client, queue: deps.queues.verify, deployment: deps.deployment },
      { collections: 'all', requestedBy: 'bench', lagMs: 0 },
    );
    let report: VerificationReport | null = null;
    let lastSaid = Date.now();
    for (;;) {
      report = await verificationReport(deps.db.$client, runId);
      if (!report) throw new Error(`verification ${runId} vanished`);
      if (report.finishedAt) break;
      const dead = fleet.processes.find((p) => p.child.exitCode !== null);
      if (dead)
        throw new Error(`a verify worker exited (${dead.child.exitCode}): ${dead.stderrTail().trim()}`);
      if ((performance.now() - started) / 1000 > deadlineSeconds) break;
      if (Date.now() - lastSaid > 5_000) {
        const done = report.collections.filter((c) => c.finishedAt).length;
        say(`  verify: ${done}/${report.collections.length} collections finished`);
        lastSaid = Date.now();
      }
      await sleep(POLL_MS);
    }
    const seconds = (performance.now() - started) / 1000;
    const slowest = report.collections
      .filter((c) => c.finishedAt)
      .map((c) => ({ name: c.name, s: (c.finishedAt!.getTime() - c.startedAt.getTime()) / 1000 }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 3);
    say(`  verify: slowest collections ${slowest.map((c) => `${c.name} ${c.s.toFixed(1)} s`).join(', ')}`);
    const red = report.finishedAt
      ? redLines(report)
      : [`run ${runId} not finished after ${seconds.toFixed(0)} s`];
    return {
      seconds,
      docsPerSec: backfill.docsRead / seconds,
      status: report.finishedAt ? report.status : 'running',
      ratioToBackfill: seconds / backfill.seconds,
      red,
    };
  } finally {
    await stop();
  }
}

/** Why each collection that is not green is not: its error, confirmed mismatches, failed checks. */
function redLines(report: VerificationReport): string[] {
  const lines: string[] = [];
  if (report.error) lines.push(`run: ${report.error}`);
  for (const c of report.collections) {
    if (c.status === 'green') continue;
    const why: string[] = [];
    if (c.error) why.push(c.error);
    if (c.tallies.confirmed + c.tallies.settling > 0) {
      const listed = c.mismatches
        .slice(0, 3)
        .map((m) => `${m.id} ${m.kind}${m.columns.length > 0 ? ` (${m.columns.join(', ')})` : ''}`);
      why.push(`${c.tallies.confirmed} confirmed mismatch(es): ${listed.join('; ')}`);
    }
    if (okIsFalse(c.counts)) why.push(`counts: ${brief(c.counts)}`);
    if (okIsFalse(c.money)) why.push(`money: ${brief(c.money)}`);
    lines.push(`${c.name} ${c.outcome}: ${why.join(' · ') || 'no reason recorded'}`);
  }
  return lines;
}

/** Whether a counts/money JSON holds a check with `ok: false`, at any depth. */
function okIsFalse(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(okIsFalse);
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return record.ok === false || Object.values(record).some(okIsFalse);
}

const brief = (value: unknown) => JSON.stringify(value).slice(0, 300);
