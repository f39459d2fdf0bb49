import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { QueueName } from '../queue/names.js';
import type { JobDefinition } from '../jobs/define.js';
import { JOBS } from '../jobs/registry.js';
import type { WorkerDeps } from './deps.js';

export interface WorkerRuntimeOptions {
  queues: readonly QueueName[];
  /** Jobs processed at once per queue in this process. @defaultValue 4 */
  concurrency?: number;
  /** How long close() waits for running jobs before abandoning them to BullMQ's stall recovery. @defaultValue 30000 */
  shutdownTimeoutMs?: number;
  /**
   * How long a job's lock lives without renewal; a worker that dies (SIGKILL, lost host) has its jobs
   * re-queued by other workers after about this long. @defaultValue 60000
   */
  lockDurationMs?: number;
  /**
   * Rate limit for the backfill queue, in jobs started per second across every worker (BullMQ's limiter
   * is global per queue): the knob that keeps a production MongoDB comfortable. @defaultValue none
   */
  rateLimitPerSecond?: number;
  /** The job definitions to serve. @defaultValue every job in src/jobs/registry.ts */
  jobs?: readonly JobDefinition[];
}

export interface WorkerRuntime {
  readonly workers: readonly Worker[];
  /** Stops taking jobs and waits for running ones, up to the shutdown timeout. Resolves either way. */
  close(): Promise<{ graceful: boolean }>;
  /** Resolves once every worker has really stopped (after close(), even one that timed out). */
  readonly closed: Promise<void>;
}

/** Dispatches a job to its definition by name; a payload that fails its schema can never succeed. */
async function dispatch(
  queue: QueueName,
  definitions: ReadonlyMap<string, JobDefinition>,
  job: Job,
  token: string | undefined,
  deps: WorkerDeps,
): Promise<unknown> {
  const definition = definitions.get(job.name);
  if (!definition) throw new UnrecoverableError(`no job named "${job.name}" on queue "${queue}"`);
  const parsed = definition.payload.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid payload for ${job.name}: ${parsed.error.message}`);
  }
  return definition.process(parsed.data, deps, job, token);
}

export function startWorkers(deps: WorkerDeps, options: WorkerRuntimeOptions): WorkerRuntime {
  const { concurrency = 4, shutdownTimeoutMs = 30_000, jobs = JOBS, lockDurationMs = 60_000 } = options;
  const workers = options.queues.map((queue) => {
    const definitions = new Map(jobs.filter((j) => j.queue === queue).map((j) => [j.name, j]));
    const worker = new Worker(queue, (job, token) => dispatch(queue, definitions, job, token, deps), {
      connection: deps.workerRedis,
      prefix: deps.config.QUEUE_PREFIX,
      concurrency,
      // A chunk holds one Postgres transaction; if its worker dies, BullMQ re-queues it after this.
      lockDuration: lockDurationMs,
      stalledInterval: Math.min(30_000, lockDurationMs),
      maxStalledCount: 3,
      ...(queue === 'backfill' && options.rateLimitPerSecond
        ? { limiter: { max: options.rateLimitPerSecond, duration: 1_000 } }
        : {}),
    });
    worker.on('failed', (job, error) =>
      deps.log.warn({ queue, job: job?.name, jobId: job?.id, err: error.message }, 'job failed'),
    );
    worker.on('error', (error) => deps.log.error({ queue, err: error.message }, 'worker error'));
    return worker;
  });

  let closing: Promise<void> | undefined;
  return {
    workers,
    get closed() {
      return closing ?? Promise.resolve();
    },
    async close() {
      // worker.close() has no timeout of its own (DESIGN.md pitfalls), and a second close(true) returns
      // the first call's promise, so "force" cannot cut it short: race it against our own timer instead.
      // Jobs still running when the timer fires keep their locks until these expire, then BullMQ hands
      // them to another worker; the caller decides whether to exit the process.
      closing ??= Promise.all(workers.map((w) => w.close())).then(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs);
      });
      const outcome = await Promise.race([closing, timedOut]);
      clearTimeout(timer);
      return { graceful: outcome !== 'timeout' };
    },
  };
}
