import type { Config } from '../config/env.js';
import { createLogger } from '../logger.js';
import { openDeps, type WorkerDeps } from '../workers/deps.js';
import { startBackfill } from '../backfill/start.js';
import { getRunProgress } from '../backfill/progress.js';
import type { RunProgress } from '../backfill/types.js';
import type { Cleanup } from './cleanup.js';
import { readMachineBusySeconds, readProcessCpuSeconds } from './cpu.js';
import { dropDatabase, freshDatabase } from './databases.js';
import { readRunPhases, type RunPhases } from './phases.js';
import { cpuDelta, readPostgresCpuSeconds } from './postgresCpu.js';
import { deletePrefixKeys } from './redisKeys.js';
import { startSource, type Source } from './source.js';
import { startWorkerFleet } from './workers.js';

export interface BackfillRunOptions {
  config: Config;
  docs: number;
  workers: number;
  concurrency: number;
  chunkSize: number;
  /** Target database, created fresh on the server of PG_URL. */
  dbName: string;
  queuePrefix: string;
  keep: boolean;
  cleanup: Cleanup;
  say: (line: string) => void;
}

/** Cores in use on average during the backfill, by whom (from /proc CPU times). */
export interface CpuShare {
  source: number;
  workers: number;
  /** Everything else that was busy: Postgres and Redis mostly. */
  other: number;
  machine: number;
}

export interface BackfillMeasurement {
  docsRead: number;
  docsWritten: number;
  docsRejected: number;
  chunks: number;
  seconds: number;
  docsPerSec: number;
  /** Spawn to seeded and listening, for deciding whether a 4N run fits the time budget. */
  sourceSeconds: number;
  peakRssMb: number;
  perWorkerPeakRssMb: number[];
  idleRssMb: number;
  phases: RunPhases;
  cores: CpuShare | null;
  /** CPU seconds every Postgres process on the machine used during the timed run (./postgresCpu.ts). */
  postgresCpuSeconds: number | null;
}

export interface BackfillSession {
  readonly measurement: BackfillMeasurement;
  readonly source: Source;
  /** Connected to the source and the filled target; the stage and naive measurements reuse them. */
  readonly deps: WorkerDeps;
  readonly targetUrl: string;
  /** Stops the source and closes deps (idempotent; also registered with the cleanup). */
  close(): Promise<void>;
}

const POLL_MS = 200;

/**
 * Steps 1–3 of the bench: the source as its own seeded process, a fresh target database and queue
 * prefix, W real worker processes, and one full run timed from start until it leaves `running`.
 */
export async function runMeasuredBackfill(options: BackfillRunOptions): Promise<BackfillSession> {
  const { config, cleanup, say } = options;
  say(`source: seeding ${options.docs} documents into an embedded MongoDB process…`);
  const source = await startSource(options.docs, config.LOG_LEVEL);
  cleanup.defer('stop the source', () => source.process.stop());
  say(`source ready in ${source.readySeconds.toFixed(1)} s at ${source.url}`);

  const targetUrl = await freshDatabase(config.PG_URL, options.dbName);
  if (!options.keep)
    cleanup.defer(`drop ${options.dbName}`, () => dropDatabase(config.PG_URL, options.dbName));
  cleanup.defer(`delete Redis keys ${options.queuePrefix}:*`, async () => {
    await deletePrefixKeys(config.REDIS_URL, options.queuePrefix);
  });

  const benchConfig: Config = {
    ...config,
    PG_URL: targetUrl,
    MONGO_URL: source.url,
    QUEUE_PREFIX: options.queuePrefix,
  };
  const fleet = startWorkerFleet({
    count: options.workers,
    concurrency: options.concurrency,
    env: {
      PG_URL: targetUrl,
      MONGO_URL: source.url,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: options.queuePrefix,
      LOG_LEVEL: config.LOG_LEVEL,
    },
  });
  cleanup.defer('stop the workers', async () => void (await fleet.stop()));
  const deps = await openDeps(benchConfig, createLogger(config.LOG_LEVEL, { role: 'bench' }));
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= deps.close().then(() => source.process.stop()));
  cleanup.defer('close connections', close);
  await fleet.ready(deps.queues.backfill);
  say(`${options.workers} worker process(es) × concurrency ${options.concurrency} connected`);

  const cpuBefore = { source: readProcessCpuSeconds(source.process.pid), workers: fleet.cpuSeconds() };
  const machineBefore = readMachineBusySeconds();
  const postgresBefore = readPostgresCpuSeconds();
  const started = performance.now();
  const { runId } = await startBackfill(deps, { collections: 'all', chunkSize: options.chunkSize });
  const progress = await pollUntilDone(deps, runId, say);
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = { source: readProcessCpuSeconds(source.process.pid), workers: fleet.cpuSeconds() };
  const machineAfter = readMachineBusySeconds();
  // Before the fleet stops, as the other readings: its pools' backends then exit, and none of that
  // shutdown belongs to the run.
  const postgresAfter = readPostgresCpuSeconds();
  const stats = await fleet.stop();

  if (progress.status !== 'completed') {
    throw new Error(`backfill ${runId} ${progress.status}: ${progress.error ?? 'see strangler status'}`);
  }
  let cores: CpuShare | null = null;
  if (
    cpuBefore.source !== null &&
    cpuAfter.source !== null &&
    machineBefore !== null &&
    machineAfter !== null
  ) {
    const sourceCores = (cpuAfter.source - cpuBefore.source) / seconds;
    const workerCores = (cpuAfter.workers - cpuBefore.workers) / seconds;
    const machine = (machineAfter - machineBefore) / seconds;
    cores = {
      source: sourceCores,
      workers: workerCores,
      other: Math.max(0, machine - sourceCores - workerCores),
      machine,
    };
  }
  const { docsRead, docsWritten, docsRejected, chunksDone } = progress.totals;
  return {
    measurement: {
      docsRead,
      docsWritten,
      docsRejected,
      chunks: chunksDone,
      seconds,
      docsPerSec: docsRead / seconds,
      sourceSeconds: source.readySeconds,
      peakRssMb: stats.peakRssMb,
      perWorkerPeakRssMb: stats.perWorkerPeakRssMb,
      idleRssMb: stats.idleRssMb,
      phases: await readRunPhases(deps.db.$client, runId),
      cores,
      postgresCpuSeconds: cpuDelta(postgresBefore, postgresAfter),
    },
    source,
    deps,
    targetUrl,
    close,
  };
}

async function pollUntilDone(
  deps: WorkerDeps,
  runId: string,
  say: (line: string) => void,
): Promise<RunProgress> {
  let lastSaid = Date.now();
  for (;;) {
    const progress = await getRunProgress(deps.db, runId);
    if (!progress) throw new Error(`backfill run ${runId} vanished`);
    if (progress.status !== 'running') return progress;
    if (Date.now() - lastSaid > 5_000) {
      const { chunksDone, chunksPlanned, docsRead } = progress.totals;
      say(`  backfill: ${chunksDone}/${chunksPlanned} chunks, ${docsRead} documents read`);
      lastSaid = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
