import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { QueueName } from '../queue/names.js';
import type { JobDefinition } from '../jobs/define.js';
import { openEnvelope } from '../jobs/envelope.js';
import { JOBS } from '../jobs/registry.js';
import type { WorkerDeps } from './deps.js';
import { scheduleGapDrains } from '../jobs/gaps/schedule.js';
import { scheduleSweeps } from '../jobs/sweep/schedule.js';
import { scheduleVerifications } from '../jobs/verify/schedule.js';
import { watchRunFailures, type FailureWatch } from './failures.js';
import { deploymentTag, describeDeployment, sameDeployment, type Deployment } from './identity.js';

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
  /** Resolves once every worker and the failure listener are connected to Redis. */
  ready(): Promise<void>;
  /** Stops taking jobs and waits for running ones, up to the shutdown timeout. Resolves either way. */
  close(): Promise<{ graceful: boolean }>;
  /** Resolves once every worker has really stopped (after close(), even one that timed out). */
  readonly closed: Promise<void>;
}

/**
 * How long a job of another deployment is set aside before any worker may take it again: long enough
 * that a wrong worker does not spin on it, short enough that the right workers barely notice.
 */
const FOREIGN_JOB_DELAY_MS = 1_000;

/**
 * A job enqueued by another deployment (other Postgres cluster or database, other Mongo database) on the
 * same Redis and prefix. It is neither run nor failed here: it goes back to the delayed set, without
 * counting an attempt, for a worker of its own deployment to take. Failing it (even UnrecoverableError)
 * would fail its parent through failParentOnFailure, and so the other deployment's whole run.
 */
async function setAside(job: Job, token: string | undefined): Promise<never> {
  await job.moveToDelayed(Date.now() + FOREIGN_JOB_DELAY_MS + Math.random() * FOREIGN_JOB_DELAY_MS, token);
  throw new DelayedError();
}

interface Dispatcher {
  readonly queue: QueueName;
  readonly definitions: ReadonlyMap<string, JobDefinition>;
  readonly deps: WorkerDeps;
  /** Foreign deployments already reported: one log line each, not one per job. */
  readonly reported: Set<string>;
}

/** Dispatches a job to its definition by name; a payload that fails its schema can never succeed. */
async function dispatch(d: Dispatcher, job: Job, token: string | undefined): Promise<unknown> {
  const envelope = openEnvelope(job.data);
  if (!envelope.ok) throw new UnrecoverableError(`invalid payload for ${job.name}: ${envelope.error}`);
  if (!sameDeployment(envelope.deployment, d.deps.deployment)) {
    reportForeign(d, job, envelope.deployment);
    return setAside(job, token);
  }
  const definition = d.definitions.get(job.name);
  if (!definition) throw new UnrecoverableError(`no job named "${job.name}" on queue "${d.queue}"`);
  const parsed = definition.payload.safeParse(envelope.payload);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid payload for ${job.name}: ${parsed.error.message}`);
  }
  return definition.process(parsed.data, d.deps, job, token);
}

function reportForeign(d: Dispatcher, job: Job, theirs: Deployment): void {
  const tag = deploymentTag(theirs);
  if (d.reported.has(tag)) return;
  d.reported.add(tag);
  d.deps.log.error(
    {
      queue: d.queue,
      jobId: job.id,
      job: job.name,
      jobDeployment: theirs,
      workerDeployment: d.deps.deployment,
    },
    `job ${job.id} was enqueued by another deployment (${describeDeployment(theirs)}) but this worker is ` +
      `connected to ${describeDeployment(d.deps.deployment)}: leaving its jobs to their own workers ` +
      `(check PG_URL, MONGO_URL and QUEUE_PREFIX)`,
  );
}

export function startWorkers(deps: WorkerDeps, options: WorkerRuntimeOptions): WorkerRuntime {
  const { concurrency = 4, shutdownTimeoutMs = 30_000, jobs = JOBS, lockDurationMs = 60_000 } = options;
  const reported = new Set<string>();
  const failures: FailureWatch | undefined = options.queues.includes('backfill')
    ? watchRunFailures(deps)
    : undefined;
  // Gaps drain on a schedule across every worker that serves the gaps queue; never rejects, logs its own errors.
  const scheduled = Promise.all([
    scheduleGapDrains(
      deps,
      { queues: options.queues, jobs },
      { everyMs: deps.config.GAP_DRAIN_EVERY_MS, drain: { leaseMs: deps.config.GAP_LEASE_MS } },
    ),
    // Likewise the delta sweep, on the workers that serve the sweep queue.
    scheduleSweeps(deps, { queues: options.queues, jobs }, { everyMs: deps.config.SWEEP_EVERY_MS }),
    // And one verification scheduler per collection, when VERIFY_EVERY_MS asks for them.
    scheduleVerifications(
      deps,
      { queues: options.queues, jobs },
      { everyMs: deps.config.VERIFY_EVERY_MS, lagMs: deps.config.VERIFY_LAG_MS },
    ),
  ]);
  const workers = options.queues.map((queue) => {
    const definitions = new Map(jobs.filter((j) => j.queue === queue).map((j) => [j.name, j]));
    const dispatcher: Dispatcher = { queue, definitions, deps, reported };
    const worker = new Worker(queue, (job, token) => dispatch(dispatcher, job, token), {
      connection: deps.workerRedis,
      prefix: deps.config.QUEUE_PREFIX,
      // The worker's Redis client name carries it, so producers can count the workers of their deployment.
      name: deploymentTag(deps.deployment),
      concurrency,
      // A chunk holds one Postgres transaction; if its worker dies, BullMQ re-queues it after this.
      lockDuration: lockDurationMs,
      stalledInterval: Math.min(30_000, lockDurationMs),
      maxStalledCount: 3,
      ...(queue === 'backfill' && options.rateLimitPerSecond
        ? { limiter: { max: options.rateLimitPerSecond, duration: 1_000 } }
        : {}),
    });
    worker.on('failed', (job, error) => {
      deps.log.warn({ queue, job: job?.name, jobId: job?.id, err: error.message }, 'job failed');
      if (queue === 'backfill') failures?.workerFailed(job, error);
    });
    worker.on('error', (error) => deps.log.error({ queue, err: error.message }, 'worker error'));
    return worker;
  });

  let closing: Promise<void> | undefined;
  return {
    workers,
    ready: () =>
      Promise.all([...workers.map((w) => w.waitUntilReady()), failures?.ready(), scheduled]).then(
        () => undefined,
      ),
    get closed() {
      return closing ?? Promise.resolve();
    },
    async close() {
      // worker.close() has no timeout of its own (DESIGN.md pitfalls), and a second close(true) returns
      // the first call's promise, so "force" cannot cut it short: race it against our own timer instead.
      // Jobs still running when the timer fires keep their locks until these expire, then BullMQ hands
      // them to another worker; the caller decides whether to exit the process.
      closing ??= Promise.all(workers.map((w) => w.close())).then(() => failures?.close());
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
