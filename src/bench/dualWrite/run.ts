import { loadavg } from 'node:os';
import { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import type { Config } from '../../config/env.js';
import { createDb } from '../../db/client.js';
import { DRAIN_DEFAULTS } from '../../gaps/options.js';
import { createLogger } from '../../logger.js';
import { createRepositories } from '../../repositories/create.js';
import { syncDocuments } from '../../sync/syncDocuments.js';
import type { Cleanup } from '../cleanup.js';
import { dropDatabase, freshDatabase } from '../databases.js';
import { deletePrefixKeys } from '../redisKeys.js';
import { startSource } from '../source.js';
import { timeDrain, type DrainFigures, type DrainPlan } from './drainRate.js';
import { round } from './latencies.js';
import { measureLatency } from './latency.js';
import { setAllModes } from './modes.js';
import { profileDrain } from './profile.js';
import { DUAL_WRITE_TARGETS, type DualWriteResult } from './result.js';
import { seedUsers } from './seedUsers.js';

export interface DualWriteOptions {
  /** Measured traffic seconds per mode. @defaultValue 15 */
  secondsPerMode: number;
  /** Interleaved slices, in rounds of six (pg, dual, mongo, mongo, dual, pg). @defaultValue 6 */
  slices: number;
  /** Calls in flight. @defaultValue 4 */
  concurrency: number;
  /** Unmeasured traffic first, in dual then in pg mode (seconds each). @defaultValue 5 */
  warmupSeconds: number;
  /** Then pg (MongoDB mirrored) against decommissioned (no mirror), `secondsPerMode` each. @defaultValue true */
  mirrorCost: boolean;
  /** Users seeded, and gaps opened per drain run. @defaultValue 20000 */
  gapDocs: number;
  /** Batch sizes of the single-drain runs. @defaultValue [100, 500, 1000] */
  batchSizes: number[];
  /** Drains at once in the last run (largest batch size): the scale-out path. @defaultValue 2 */
  parallelDrains: number;
  /** Gaps per profiled drain (a steady per-batch split needs far fewer than the timed runs). @defaultValue 5000 */
  profileDocs: number;
  /** Resolved rows in the gap table for the last profile: a table that has drained for a while. @defaultValue 200000 */
  historyRows: number;
  seed: number;
  dbName: string;
  keep: boolean;
}

export const DUAL_WRITE_DEFAULTS: Omit<DualWriteOptions, 'dbName' | 'keep'> = {
  secondsPerMode: 15,
  slices: 6,
  concurrency: 4,
  warmupSeconds: 5,
  mirrorCost: true,
  gapDocs: 20_000,
  batchSizes: [DRAIN_DEFAULTS.batchSize, 500, 1_000],
  parallelDrains: 2,
  profileDocs: 5_000,
  historyRows: 200_000,
  seed: 42,
};

/** The MongoDB database the gap backlog is seeded into, apart from the traffic's. */
const GAPS_DB = 'bench_gaps';
const GAP_COLLECTION = 'users';
/** Documents of the one-per-sync profile. */
const SINGLE_DOCS = 300;
/**
 * The traffic repositories' settle window after a change of the authoritative store (dual ↔ pg): one
 * process, and no call in flight while the bench changes modes, so it need not cover other processes'
 * TTL; setAllModes waits it out after each such change.
 */
const SETTLE_MS = 200;

/**
 * The dual-write half of the bench (issue 8), against an embedded MongoDB in its own process and fresh
 * Postgres databases: per-operation latency in mongo, dual and pg mode side by side (and pg's MongoDB
 * mirror against decommissioned), then the gap drain rate at several batch sizes, with a profile of
 * where a drain's time goes. Everything it starts is registered with `cleanup`.
 */
export async function measureDualWrite(
  config: Config,
  options: DualWriteOptions,
  cleanup: Cleanup,
  say: (line: string) => void,
): Promise<DualWriteResult> {
  const started = performance.now();
  const loadBefore = round(loadavg()[0]!);
  const source = await startSource(0, config.LOG_LEVEL);
  cleanup.defer('stop the dual-write source', () => source.process.stop());
  const database = async (suffix: string) => {
    const name = `${options.dbName}_${suffix}`;
    const url = await freshDatabase(config.PG_URL, name);
    if (!options.keep) cleanup.defer(`drop ${name}`, () => dropDatabase(config.PG_URL, name));
    const db = createDb({ url, max: 12, applicationName: 'strangler-bench-dual' });
    cleanup.defer(`close ${name} pool`, () => db.$client.end());
    return db;
  };

  // 1. Latency: the traffic through the library's repositories.
  const trafficDb = await database('dual');
  const connection = await mongoose
    .createConnection(source.url, { maxPoolSize: Math.max(10, options.concurrency * 2) })
    .asPromise();
  cleanup.defer('close the traffic connection', () => connection.close());
  const queuePrefix = `strangler-bench-dual-${process.pid}`;
  cleanup.defer(`delete Redis keys ${queuePrefix}:*`, async () => {
    await deletePrefixKeys(config.REDIS_URL, queuePrefix);
  });
  const repos = createRepositories({
    mongoose: connection,
    pg: trafficDb.$client,
    redisUrl: config.REDIS_URL,
    queuePrefix,
    settleMs: SETTLE_MS,
    log: createLogger(config.LOG_LEVEL, { role: 'bench-dual' }),
  });
  cleanup.defer('close the repositories', () => repos.close());
  await repos.modes.whenSubscribed();
  const latency = await measureLatency(
    {
      repos,
      db: trafficDb,
      pool: trafficDb.$client,
      mongo: connection.getClient().db(connection.name) as never,
    },
    { ...options, say },
  );

  // 2. Gap drain rate: a seeded backlog of one collection, drained by drainGaps itself.
  const gapsDb = await database('gaps');
  const client = new MongoClient(source.url, { monitorCommands: true });
  cleanup.defer('close the drain client', () => client.close());
  const mongo = client.db(GAPS_DB);
  say(`dual-write gaps: seeding ${options.gapDocs} ${GAP_COLLECTION}…`);
  const { userIds, levelConfigIds } = await seedUsers(mongo, options.gapDocs, options.seed);
  await syncDocuments(gapsDb.$client, mongo, 'levelconfigs', levelConfigIds);
  await setAllModes(gapsDb, null, 'dual');

  const stores = { pool: gapsDb.$client, mongo };
  const [defaultBatch] = options.batchSizes;
  const largest = Math.max(...options.batchSizes);
  const plans: DrainPlan[] = [
    { batchSize: defaultBatch ?? DRAIN_DEFAULTS.batchSize, drains: 1, state: 'insert' },
    ...options.batchSizes.map((batchSize): DrainPlan => ({ batchSize, drains: 1, state: 'update' })),
    ...(options.parallelDrains > 1
      ? [{ batchSize: largest, drains: options.parallelDrains, state: 'update' } as DrainPlan]
      : []),
  ];
  const runs: DrainFigures[] = [];
  for (const plan of plans) {
    const run = await timeDrain(stores, GAP_COLLECTION, userIds, plan);
    runs.push(run);
    say(
      `dual-write gaps: ${run.gaps} ${plan.state} gaps, batch ${plan.batchSize} × ${plan.drains} drain(s): ` +
        `${run.gapsPerSec.toFixed(0)} gaps/s (${run.seconds.toFixed(1)} s, ${run.failed} failed)`,
    );
  }
  const profiles = [];
  const sample = userIds.slice(0, options.profileDocs);
  const asShippedBatch = defaultBatch ?? DRAIN_DEFAULTS.batchSize;
  // Batch 1 is one document per sync: what following a single dual write costs.
  for (const [batchSize, history, docs] of [
    [asShippedBatch, 0, sample],
    [largest, 0, sample],
    [asShippedBatch, options.historyRows, sample],
    [1, 0, sample.slice(0, SINGLE_DOCS)],
  ] as const) {
    const profile = await profileDrain({ ...stores, client }, GAP_COLLECTION, docs, batchSize, history);
    profiles.push(profile);
    say(
      `dual-write gaps: profile batch ${batchSize}, ${history} resolved rows in the table: ` +
        `${profile.gapsPerSec.toFixed(0)} gaps/s, per batch claim ${profile.perBatchMs.claim} ms · ` +
        `sync ${profile.perBatchMs.sync} ms · settle ${profile.perBatchMs.settle} ms`,
    );
  }

  const single = runs.filter((r) => r.drains === 1 && r.state === 'update');
  const asShipped = single.find((r) => r.batchSize === defaultBatch) ?? single[0]!;
  const bestSingle = single.reduce((a, b) => (b.gapsPerSec > a.gapsPerSec ? b : a));
  return {
    latency,
    gaps: {
      collection: GAP_COLLECTION,
      runs,
      gapsPerSec: asShipped.gapsPerSec,
      bestSingle,
      profiles,
    },
    targets: DUAL_WRITE_TARGETS,
    met: {
      gapsPerSec: asShipped.gapsPerSec >= DUAL_WRITE_TARGETS.gapsPerSec,
      bestSingleGapsPerSec: bestSingle.gapsPerSec >= DUAL_WRITE_TARGETS.gapsPerSec,
    },
    loadAverage: { before: loadBefore, after: round(loadavg()[0]!) },
    seconds: (performance.now() - started) / 1000,
  };
}
