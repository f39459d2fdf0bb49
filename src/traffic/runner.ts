import { setTimeout as sleep } from 'node:timers/promises';
import { TrafficStats } from './stats.js';

/** One kind of call the workload makes; `run` throws a refusal it expects as `isRefusal` says. */
export interface TrafficOp {
  name: string;
  /** Relative share of the mix. */
  weight: number;
  run(): Promise<void>;
}

export interface RunnerOptions {
  /** Target operations per second, across all workers; 0 means as fast as the concurrency allows. */
  rate: number;
  durationMs: number;
  /** Calls in flight at most. */
  concurrency: number;
  /** Picks the next operation (the workload's weighted mix). */
  next(): TrafficOp;
  /** An error the workload expects (a domain rule), counted as `refused`, not as a caller error. */
  isRefusal(error: unknown): boolean;
  /** Called with each caller error (not a refusal), as it happens. */
  onCallerError?(op: string, error: unknown): void;
  /** Called about once a second with the operations so far. */
  onTick?(stats: TrafficStats, elapsedMs: number): void;
  /** Stops early (SIGINT, a test). */
  signal?: AbortSignal;
}

/**
 * Drives `concurrency` loops for `durationMs`. With a rate, starts are paced on one shared schedule
 * (operation n starts no earlier than n / rate seconds in), so a slow call delays its own loop, not
 * the rate: a store that slows down shows as latency, which is what the traffic is there to measure.
 */
export async function runTraffic(options: RunnerOptions): Promise<TrafficStats> {
  const stats = new TrafficStats();
  const started = performance.now();
  const deadline = started + options.durationMs;
  let issued = 0;
  const ticker = setInterval(() => options.onTick?.(stats, performance.now() - started), 1_000);
  ticker.unref();
  const loop = async () => {
    while (!options.signal?.aborted) {
      const n = issued++;
      if (options.rate > 0) {
        const due = started + (n * 1_000) / options.rate;
        const wait = due - performance.now();
        if (due >= deadline) return;
        if (wait > 0) await sleep(wait);
      } else if (performance.now() >= deadline) return;
      const op = options.next();
      const t0 = performance.now();
      try {
        await op.run();
        stats.record(op.name, performance.now() - t0, 'acked');
      } catch (error) {
        const refused = options.isRefusal(error);
        stats.record(op.name, performance.now() - t0, refused ? 'refused' : 'error', error);
        if (!refused) options.onCallerError?.(op.name, error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    clearInterval(ticker);
  }
  return stats;
}
