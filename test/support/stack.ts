import { QueueEvents } from 'bullmq';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import { loadConfig, type Config } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { startWorkers, type WorkerRuntime, type WorkerRuntimeOptions } from '../../src/workers/runtime.js';
import { getRunProgress } from '../../src/backfill/progress.js';
import type { RunProgress } from '../../src/backfill/types.js';
import { startTestMongo } from './mongo.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { deletePrefix, uniquePrefix } from './queue.js';
import { TEST_REDIS_URL } from './env.js';

/** Real Postgres (a cloned database), real Redis (a unique prefix), MongoDB (embedded or MONGO_URL). */
export interface TestStack {
  config: Config;
  pg: TestDatabase;
  mongoClient: MongoClient;
  source: MongoDb;
  deps: WorkerDeps;
  startWorkers(concurrency?: number, options?: Partial<WorkerRuntimeOptions>): WorkerRuntime;
  /** Closes every runtime startWorkers() started so far (not only the last): no worker of this stack runs after. */
  stopWorkers(): Promise<void>;
  /** Resolves when the run leaves `running` (event-driven on the run's root job, then read from Postgres). */
  waitForRun(runId: string, timeoutMs?: number): Promise<RunProgress>;
  stop(): Promise<void>;
}

export async function startTestStack(): Promise<TestStack> {
  const pg = await createTestDatabase();
  const mongo = await startTestMongo();
  const prefix = uniquePrefix('stack');
  const config = loadConfig({
    PG_URL: pg.url,
    MONGO_URL: mongo.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
  });
  const deps = await openDeps(config, createLogger('silent'));
  const mongoClient = new MongoClient(mongo.url);
  await mongoClient.connect();
  const runtimes: WorkerRuntime[] = [];
  const events = new QueueEvents('backfill', { connection: { url: TEST_REDIS_URL }, prefix });
  await events.waitUntilReady();
  return {
    config,
    pg,
    mongoClient,
    source: mongoClient.db(mongo.dbName),
    deps,
    startWorkers(concurrency = 4, options = {}) {
      const runtime = startWorkers(deps, {
        queues: ['backfill'],
        concurrency,
        shutdownTimeoutMs: 10_000,
        ...options,
      });
      runtimes.push(runtime);
      return runtime;
    },
    async stopWorkers() {
      const running = runtimes.splice(0);
      await Promise.all(running.map(async (r) => (await r.close(), await r.closed)));
    },
    async waitForRun(runId, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const progress = await getRunProgress(deps.db, runId);
        if (progress && progress.status !== 'running') return progress;
        if (Date.now() > deadline) throw new Error(`run ${runId} still running after ${timeoutMs} ms`);
        // Woken by any completion/failure on the queue, or every 500 ms at the latest.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            events.off('completed', done);
            events.off('failed', done);
            resolve();
          };
          const timer = setTimeout(done, 500);
          events.on('completed', done);
          events.on('failed', done);
        });
      }
    },
    async stop() {
      await Promise.all(runtimes.map(async (r) => (await r.close(), await r.closed)));
      await events.close();
      await deps.close();
      await mongoClient.close();
      await mongo.stop();
      await pg.drop();
      await deletePrefix(prefix);
    },
  };
}
