import type { Queue } from 'bullmq';
import { readProcessCpuSeconds } from './cpu.js';
import { spawnStrangler, type StranglerProcess } from './processes.js';
import { readProcessMemory } from './rss.js';

export interface WorkerFleetOptions {
  count: number;
  concurrency: number;
  /** Environment of every worker: PG_URL, MONGO_URL, REDIS_URL, QUEUE_PREFIX, LOG_LEVEL. */
  env: Record<string, string>;
  /** RSS sampling period. @defaultValue 200 */
  sampleMs?: number;
  /** Queues the workers consume (`strangler worker --queues`). @defaultValue ['backfill'] */
  queues?: readonly string[];
}

export interface WorkerFleetStats {
  /** Max over workers of the larger of the sampled VmRSS and the final VmHWM, MB. */
  peakRssMb: number;
  perWorkerPeakRssMb: number[];
  /** Max over workers of the RSS once connected, before any job: the process's own baseline, MB. */
  idleRssMb: number;
  /** CPU seconds all workers used, up to just before they were stopped. */
  cpuSeconds: number;
}

export interface WorkerFleet {
  readonly processes: readonly StranglerProcess[];
  /** Resolves once BullMQ sees every worker connected to `queue` (one the fleet consumes). */
  ready(queue: Queue, timeoutMs?: number): Promise<void>;
  cpuSeconds(): number;
  /** Reads the high-water marks, then SIGTERM and waits for every worker to exit. */
  stop(): Promise<WorkerFleetStats>;
}

/**
 * How docker-compose.yml runs workers (a test holds the two together): a capped V8 heap, without which
 * V8 grows the heap lazily and RSS measures its laziness rather than the worker's needs.
 */
export const WORKER_NODE_OPTIONS = '--max-old-space-size=256';

/**
 * W real `strangler worker` processes, as a deployment runs them, with their memory sampled from /proc:
 * in-process workers would share the bench's heap and make the figure meaningless.
 */
export function startWorkerFleet(options: WorkerFleetOptions): WorkerFleet {
  const queues = (options.queues ?? ['backfill']).join(',');
  const args = ['worker', '--queues', queues, '--concurrency', String(options.concurrency)];
  const env = { ...options.env, NODE_OPTIONS: WORKER_NODE_OPTIONS };
  const processes = Array.from({ length: options.count }, () => spawnStrangler(args, env));
  for (const p of processes) p.child.stdout?.resume();
  const peaks = processes.map(() => 0);
  let idleRssMb = 0;
  const sample = () =>
    processes.forEach((p, i) => {
      const memory = readProcessMemory(p.pid);
      if (memory) peaks[i] = Math.max(peaks[i]!, memory.rssMb, memory.hwmMb);
    });
  const timer = setInterval(sample, options.sampleMs ?? 200);
  const cpuSeconds = () => processes.reduce((sum, p) => sum + (readProcessCpuSeconds(p.pid) ?? 0), 0);

  return {
    processes,
    cpuSeconds,
    async ready(queue, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while ((await queue.getWorkersCount()) < options.count) {
        const dead = processes.find((p) => p.child.exitCode !== null);
        if (dead) throw new Error(`a worker exited (${dead.child.exitCode}): ${dead.stderrTail().trim()}`);
        if (Date.now() > deadline) throw new Error(`workers not connected after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const p of processes) idleRssMb = Math.max(idleRssMb, readProcessMemory(p.pid)?.rssMb ?? 0);
    },
    async stop() {
      clearInterval(timer);
      sample(); // VmHWM now, while /proc still has them
      const cpu = cpuSeconds();
      await Promise.all(processes.map((p) => p.stop(30_000)));
      return { peakRssMb: Math.max(0, ...peaks), perWorkerPeakRssMb: [...peaks], idleRssMb, cpuSeconds: cpu };
    },
  };
}
