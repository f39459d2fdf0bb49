import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import type { Db } from '../../db/client.js';
import type { Repositories } from '../../repositories/create.js';
import { Rng } from '../../synthetic/prng.js';
import { runTraffic, type TrafficOp } from '../../traffic/runner.js';
import { isExpectedRefusal, marketplaceWorkload } from '../../traffic/workload.js';
import { catchUpSince } from './catchUp.js';
import { LatencyBook, round, type LatencyMode, type SideBySide } from './latencies.js';
import { setAllModes } from './modes.js';
import { isReadCall, timedRepositories } from './timedRepositories.js';

export interface LatencyOptions {
  /** Seconds of measured traffic per mode, split over the slices. */
  secondsPerMode: number;
  /** Measured slices, mongo and dual alternating ABBA (mongo, dual, dual, mongo, …); even. */
  slices: number;
  concurrency: number;
  /** Seconds of unmeasured traffic in dual mode first: a populated market, warm JIT and pools. */
  warmupSeconds: number;
  seed: number;
  say: (line: string) => void;
}

export interface LatencyReport {
  secondsPerMode: number;
  slices: LatencyMode[];
  concurrency: number;
  seed: number;
  warmupOps: number;
  /** Documents brought into Postgres between a mongo slice and the dual slice after it (untimed). */
  caughtUpDocs: number;
  /** Per workload operation (one operation = several repository calls). */
  byOp: Record<string, SideBySide>;
  /** Every operation merged. */
  overall: SideBySide;
  /** Per repository write method (`users.create`…), the unit dual mode adds its sync to. */
  byWrite: Record<string, SideBySide>;
  /** Every repository write call merged: the dual-mode overhead per write. */
  perWrite: SideBySide;
  /** Operations per second in each mode (closed loop: a slower store shows as fewer ops). */
  throughput: Record<LatencyMode, number>;
}

export interface LatencyDeps {
  repos: Repositories;
  db: Db;
  pool: pg.Pool;
  mongo: MongoDb;
}

/** ABBA…: a drift over the run (a warming cache, a growing table) weighs on both modes alike. */
export function slicePlan(slices: number): LatencyMode[] {
  return Array.from({ length: slices }, (_, i) => ((i + 1) % 4 < 2 ? 'mongo' : 'dual'));
}

/**
 * The marketplace workload, closed loop, once with every collection in `mongo` and once in `dual`,
 * interleaved in slices on one market (one seeded workload throughout), per operation and per
 * repository write. Between a mongo slice and a dual one, what the mongo slice wrote is synced into
 * Postgres untimed, so dual mode always follows documents Postgres already has, as after a backfill.
 */
export async function measureLatency(deps: LatencyDeps, options: LatencyOptions): Promise<LatencyReport> {
  const ops = new LatencyBook();
  const calls = new LatencyBook();
  let current: LatencyMode | null = null;
  const repos = timedRepositories(deps.repos, calls, () => current);
  const workload = marketplaceWorkload(repos, new Rng(options.seed), `b${options.seed.toString(36)}`);
  const timedNext = (): TrafficOp => {
    const op = workload.next();
    const mode = current;
    return {
      ...op,
      async run() {
        const t0 = performance.now();
        try {
          await op.run();
          if (mode) ops.record(op.name, mode, performance.now() - t0, false);
        } catch (error) {
          if (mode) ops.record(op.name, mode, performance.now() - t0, !isExpectedRefusal(error));
          throw error;
        }
      },
    };
  };
  const run = (seconds: number) =>
    runTraffic({
      rate: 0,
      durationMs: seconds * 1000,
      concurrency: options.concurrency,
      next: timedNext,
      isRefusal: isExpectedRefusal,
    });

  await setAllModes(deps.db, deps.repos.modes, 'dual');
  const warm = await run(options.warmupSeconds);
  options.say(`dual-write latency: warm-up ${warm.ops} ops in dual mode`);

  const plan = slicePlan(options.slices);
  const sliceSeconds = (options.secondsPerMode * 2) / plan.length;
  const seconds: Record<LatencyMode, number> = { mongo: 0, dual: 0 };
  let mode: LatencyMode = 'dual';
  let mongoSince: Date | null = null;
  let caughtUpDocs = 0;
  for (const next of plan) {
    if (next !== mode) {
      if (next === 'dual' && mongoSince) {
        caughtUpDocs += await catchUpSince(deps.pool, deps.mongo, mongoSince);
      }
      await setAllModes(deps.db, deps.repos.modes, next);
      mode = next;
    }
    // A second of slack: documents stamped just before the slice started are caught up as well.
    if (mode === 'mongo') mongoSince ??= new Date(Date.now() - 1_000);
    else mongoSince = null;
    current = mode;
    const started = performance.now();
    const stats = await run(sliceSeconds);
    current = null;
    seconds[mode] += (performance.now() - started) / 1000;
    options.say(`dual-write latency: ${mode} slice, ${stats.ops} ops in ${sliceSeconds.toFixed(1)} s`);
  }

  const byOp = Object.fromEntries(ops.names().map((name) => [name, ops.compare(name)]));
  const writes = calls.names().filter((name) => !isReadCall(name));
  const overall = ops.compare(() => true);
  return {
    secondsPerMode: options.secondsPerMode,
    slices: plan,
    concurrency: options.concurrency,
    seed: options.seed,
    warmupOps: warm.ops,
    caughtUpDocs,
    byOp,
    overall,
    byWrite: Object.fromEntries(writes.map((name) => [name, calls.compare(name)])),
    perWrite: calls.compare((name) => !isReadCall(name)),
    throughput: {
      mongo: round(overall.mongo.ops / seconds.mongo),
      dual: round(overall.dual.ops / seconds.dual),
    },
  };
}
