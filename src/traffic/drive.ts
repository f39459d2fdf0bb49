import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { Config } from '../config/env.js';
import { createLogger } from '../logger.js';
import { createRepositories } from '../repositories/create.js';
import { Rng } from '../synthetic/prng.js';
import { runTraffic } from './runner.js';
import type { OpFigures } from './stats.js';
import { isExpectedRefusal, marketplaceWorkload } from './workload.js';

export interface DriveOptions {
  rate: number;
  durationMs: number;
  concurrency: number;
  /** Seed of the operation mix. @defaultValue random */
  seed?: number;
  /** Progress as JSON lines on stderr (for tests and scripts) instead of a human line. */
  json?: boolean;
  signal?: AbortSignal;
  /** No progress line each second (the demo narrates instead). @defaultValue false */
  quiet?: boolean;
  /** Share of dual-mode reads repeated on Postgres (createRepositories `shadowReadShare`). @defaultValue 0 */
  shadowReadShare?: number;
}

export type TrafficFigures = OpFigures & {
  byOp: Record<string, OpFigures>;
  errors: Record<string, number>;
  seconds: number;
  seed: number;
  modes: Record<string, string>;
  /**
   * What acknowledged calls credited, per user id (points: increments and referral rewards). Each
   * user's balance in both stores must equal it after the run (all traffic users start at 0): a lost
   * update would show as a difference.
   */
  credited: Record<string, number>;
};

/**
 * `strangler traffic`: the marketplace workload through the library's own repositories, exactly as a
 * service would call them, against the configured stores in whatever modes are live. A SIGINT ends it
 * early with the figures so far.
 */
export async function driveTraffic(config: Config, options: DriveOptions): Promise<TrafficFigures> {
  const log = createLogger(config.LOG_LEVEL, { component: 'traffic' });
  const connection = await mongoose
    .createConnection(config.MONGO_URL, {
      maxPoolSize: Math.max(10, options.concurrency * 2),
      serverSelectionTimeoutMS: 10_000,
    })
    .asPromise();
  const repos = createRepositories({
    mongoose: connection,
    pg: config.PG_URL,
    redisUrl: config.REDIS_URL,
    queuePrefix: config.QUEUE_PREFIX,
    log,
    shadowReadShare: options.shadowReadShare,
  });
  const seed = options.seed ?? randomBytes(4).readUInt32BE(0);
  const runTag = randomBytes(3).toString('hex');
  const workload = marketplaceWorkload(repos, new Rng(seed), runTag);
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  const started = performance.now();
  try {
    const stats = await runTraffic({
      rate: options.rate,
      durationMs: options.durationMs,
      concurrency: options.concurrency,
      next: workload.next,
      isRefusal: isExpectedRefusal,
      onCallerError: (op, error) => log.error({ op, err: error }, 'caller error'),
      signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
      onTick(current, elapsedMs) {
        if (options.quiet) return;
        const { ops, acked, refused, callerErrors } = current.figures();
        process.stderr.write(
          options.json
            ? `${JSON.stringify({ progress: true, seconds: Math.round(elapsedMs / 100) / 10, ops, acked, refused, callerErrors })}\n`
            : `traffic: ${Math.round(elapsedMs / 1000)} s, ${ops} ops, ${callerErrors} caller errors\n`,
        );
      },
    });
    const modes = Object.fromEntries(await repos.modes.all().catch(() => new Map<string, string>()));
    return {
      ...stats.figures(),
      seconds: (performance.now() - started) / 1000,
      seed,
      modes,
      credited: workload.market.credited(),
    };
  } finally {
    process.off('SIGINT', onSigint);
    await repos.close();
    await connection.close();
  }
}
