import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import type { Db } from '../../db/client.js';
import { routingOf, type CollectionMode } from '../../modes/machine.js';
import type { Repositories } from '../../repositories/create.js';
import { Rng } from '../../synthetic/prng.js';
import { runTraffic, type TrafficOp } from '../../traffic/runner.js';
import { isExpectedRefusal, marketplaceWorkload } from '../../traffic/workload.js';
import { catchUpSince } from './catchUp.js';
import { drainOpenGaps } from './drainOpen.js';
import {
  LATENCY_MODES,
  LatencyBook,
  MIRROR_MODES,
  mirrorSideBySide,
  round,
  sideBySide,
  type LatencyMode,
  type MirrorMode,
  type MirrorSideBySide,
  type Recorder,
  type SideBySide,
} from './latencies.js';
import { setAllModes } from './modes.js';
import { isReadCall, timedRepositories } from './timedRepositories.js';

export interface LatencyOptions {
  /** Seconds of measured traffic per mode, split over the slices. */
  secondsPerMode: number;
  /** Measured slices, in rounds of six (pg, dual, mongo, mongo, dual, pg); a multiple of 6. */
  slices: number;
  concurrency: number;
  /** Seconds of unmeasured traffic in dual, then in pg mode, first: a populated market, warm JIT and pools. */
  warmupSeconds: number;
  /** Then measure what pg mode's MongoDB mirror costs: pg against decommissioned, ABBA, `secondsPerMode` each. */
  mirrorCost: boolean;
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
  /** Gaps drained between slices (untimed): forward before a move into pg, reverse before leaving pg. */
  drainedGaps: { forward: number; reverse: number };
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
  /** pg with its MongoDB mirror against decommissioned (no mirror); null when not measured. */
  mirrorCost: MirrorCostReport | null;
}

export interface MirrorCostReport {
  secondsPerMode: number;
  slices: MirrorMode[];
  byOp: Record<string, MirrorSideBySide>;
  overall: MirrorSideBySide;
  perWrite: MirrorSideBySide;
  throughput: Record<MirrorMode, number>;
}

export interface LatencyDeps {
  repos: Repositories;
  db: Db;
  pool: pg.Pool;
  mongo: MongoDb;
}

/** One round: each mode's mean position is the same, so a linear drift over the run weighs on all alike. */
const ROUND: readonly LatencyMode[] = ['pg', 'dual', 'mongo', 'mongo', 'dual', 'pg'];
const MIRROR_PLAN: readonly MirrorMode[] = ['decommissioned', 'pg', 'pg', 'decommissioned'];

/** One measured slice of `next` into `books`; resolves to its wall seconds. */
type Slice = <M extends LatencyMode | MirrorMode>(
  books: { ops: LatencyBook<M>; calls: LatencyBook<M> },
  next: M,
  seconds: number,
) => Promise<number>;

export function slicePlan(slices: number): LatencyMode[] {
  return Array.from({ length: slices }, (_, i) => ROUND[i % ROUND.length]!);
}

/**
 * The marketplace workload, closed loop, with every collection in `mongo`, in `dual` and in `pg`,
 * interleaved in slices on one market (one seeded workload throughout), per operation and per
 * repository write; then, optionally, pg against decommissioned, the same way. Between slices, untimed,
 * each mode gets the data it must find: what a mongo slice wrote is synced into Postgres before dual
 * follows it (as after a backfill), forward gaps are drained before Postgres becomes authoritative, and
 * reverse gaps before MongoDB does again. Decommissioned runs last: MongoDB misses its writes, so
 * nothing Mongo-first may follow it.
 */
export async function measureLatency(deps: LatencyDeps, options: LatencyOptions): Promise<LatencyReport> {
  let current: { op: Recorder; call: Recorder } | null = null;
  const repos = timedRepositories(deps.repos, () => current?.call ?? null);
  const workload = marketplaceWorkload(repos, new Rng(options.seed), `b${options.seed.toString(36)}`);
  const timedNext = (): TrafficOp => {
    const op = workload.next();
    const record = current?.op;
    return {
      ...op,
      async run() {
        const t0 = performance.now();
        try {
          await op.run();
          record?.(op.name, performance.now() - t0, false);
        } catch (error) {
          record?.(op.name, performance.now() - t0, !isExpectedRefusal(error));
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

  const stores = { pool: deps.pool, mongo: deps.mongo };
  let mode: CollectionMode = 'mongo';
  let mongoSince: Date | null = null;
  let caughtUpDocs = 0;
  const drainedGaps = { forward: 0, reverse: 0 };
  const enter = async (next: CollectionMode) => {
    if (next === mode) return;
    if (mongoSince) caughtUpDocs += await catchUpSince(deps.pool, deps.mongo, mongoSince);
    mongoSince = null;
    if (routingOf(next).authoritative === 'pg' && routingOf(mode).authoritative === 'mongo')
      drainedGaps.forward += await drainOpenGaps(stores, 'forward');
    if (mode === 'pg') drainedGaps.reverse += await drainOpenGaps(stores, 'reverse');
    await setAllModes(deps.db, deps.repos.modes, next);
    mode = next;
  };
  const slice: Slice = async (books, next, seconds) => {
    await enter(next);
    // A second of slack: documents stamped just before the slice started are caught up as well.
    if (next === 'mongo') mongoSince ??= new Date(Date.now() - 1_000);
    current = { op: books.ops.recorder(next), call: books.calls.recorder(next) };
    const started = performance.now();
    const stats = await run(seconds);
    current = null;
    options.say(`dual-write latency: ${next} slice, ${stats.ops} ops in ${seconds.toFixed(1)} s`);
    return (performance.now() - started) / 1000;
  };

  await enter('dual');
  let warmupOps = (await run(options.warmupSeconds)).ops;
  await enter('pg');
  warmupOps += (await run(options.warmupSeconds)).ops;
  options.say(`dual-write latency: warm-up ${warmupOps} ops in dual, then pg mode`);

  const ops = new LatencyBook(LATENCY_MODES);
  const calls = new LatencyBook(LATENCY_MODES);
  const plan = slicePlan(options.slices);
  const sliceSeconds = (options.secondsPerMode * LATENCY_MODES.length) / plan.length;
  const seconds: Record<LatencyMode, number> = { mongo: 0, dual: 0, pg: 0 };
  for (const next of plan) seconds[next] += await slice({ ops, calls }, next, sliceSeconds);

  const mirrorCost = options.mirrorCost ? await measureMirrorCost(slice, options.secondsPerMode) : null;

  const overall = sideBySide(ops.figures(() => true));
  const writes = calls.names().filter((name) => !isReadCall(name));
  return {
    secondsPerMode: options.secondsPerMode,
    slices: plan,
    concurrency: options.concurrency,
    seed: options.seed,
    warmupOps,
    caughtUpDocs,
    drainedGaps,
    byOp: Object.fromEntries(ops.names().map((name) => [name, sideBySide(ops.figures(name))])),
    overall,
    byWrite: Object.fromEntries(writes.map((name) => [name, sideBySide(calls.figures(name))])),
    perWrite: sideBySide(calls.figures((name) => !isReadCall(name))),
    throughput: {
      mongo: round(overall.mongo.ops / seconds.mongo),
      dual: round(overall.dual.ops / seconds.dual),
      pg: round(overall.pg.ops / seconds.pg),
    },
    mirrorCost,
  };
}

/**
 * pg (MongoDB mirrored after each commit) against decommissioned (no mirror), ABBA, after the main
 * plan: what the mirror that keeps a rollback instant costs a pg-mode call.
 */
async function measureMirrorCost(slice: Slice, secondsPerMode: number): Promise<MirrorCostReport> {
  const books = { ops: new LatencyBook(MIRROR_MODES), calls: new LatencyBook(MIRROR_MODES) };
  const seconds: Record<MirrorMode, number> = { pg: 0, decommissioned: 0 };
  const each = (secondsPerMode * MIRROR_MODES.length) / MIRROR_PLAN.length;
  for (const next of MIRROR_PLAN) seconds[next] += await slice(books, next, each);
  const overall = mirrorSideBySide(books.ops.figures(() => true));
  return {
    secondsPerMode,
    slices: [...MIRROR_PLAN],
    byOp: Object.fromEntries(
      books.ops.names().map((name) => [name, mirrorSideBySide(books.ops.figures(name))]),
    ),
    overall,
    perWrite: mirrorSideBySide(books.calls.figures((name) => !isReadCall(name))),
    throughput: {
      pg: round(overall.pg.ops / seconds.pg),
      decommissioned: round(overall.decommissioned.ops / seconds.decommissioned),
    },
  };
}
