import { QueueEvents } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config/env.js';
import { defineJob } from '../../src/jobs/define.js';
import { createLogger } from '../../src/logger.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { startWorkers } from '../../src/workers/runtime.js';
import { startTestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { TEST_REDIS_URL } from '../support/env.js';

// Test-only jobs: they exercise the runtime's dispatch, validation and shutdown, not a product feature.
const recordJob = defineJob({
  name: 'test.record',
  queue: 'verify',
  payload: z.strictObject({ value: z.string() }),
  async process({ value }, deps) {
    await deps.db.execute(sql`CREATE TABLE IF NOT EXISTS test_records (value text)`);
    await deps.db.execute(sql`INSERT INTO test_records VALUES (${value})`);
    return { stored: value };
  },
});
// The workers run in this process, so the job can tell the test directly that it has started.
let hangStarted: (() => void) | undefined;
const hangJob = defineJob({
  name: 'test.hang',
  queue: 'gaps',
  payload: z.strictObject({ ms: z.number() }),
  process: ({ ms }) => {
    hangStarted?.();
    return new Promise((resolve) => setTimeout(resolve, ms));
  },
});

describe('worker runtime', () => {
  let pgDb: TestDatabase;
  let mongo: Awaited<ReturnType<typeof startTestMongo>>;
  let deps: WorkerDeps;
  const prefix = uniquePrefix('worker');

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    mongo = await startTestMongo();
    const config = loadConfig({
      PG_URL: pgDb.url,
      MONGO_URL: mongo.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
    });
    deps = await openDeps(config, createLogger('silent'));
  });
  afterAll(async () => {
    await deps.close();
    await mongo.stop();
    await pgDb.drop();
    await deletePrefix(prefix);
  });

  it('dispatches by name, parses the payload, and refuses a bad payload without retrying', async () => {
    const runtime = startWorkers(deps, { queues: ['verify'], jobs: [recordJob] });
    const events = new QueueEvents('verify', { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      await events.waitUntilReady();
      const good = await deps.queues.verify.add('test.record', { value: 'héllo 👋' });
      expect(await good.waitUntilFinished(events)).toEqual({ stored: 'héllo 👋' });

      const bad = await deps.queues.verify.add('test.record', { value: 42, extra: true }, { attempts: 5 });
      await expect(bad.waitUntilFinished(events)).rejects.toThrow(/invalid payload for test\.record/);
      const failed = await deps.queues.verify.getJob(bad.id!);
      expect(failed?.attemptsMade).toBe(1); // UnrecoverableError: no second attempt

      const rows = await deps.db.execute(sql`SELECT value FROM test_records`);
      expect(rows.rows).toEqual([{ value: 'héllo 👋' }]);
    } finally {
      await events.close();
      await runtime.close();
    }
  });

  it('shutdown waits for running jobs, and gives up after its own timeout', async () => {
    const runtime = startWorkers(deps, { queues: ['gaps'], jobs: [hangJob], shutdownTimeoutMs: 300 });
    const started = new Promise<void>((resolve) => (hangStarted = resolve));
    const job = await deps.queues.gaps.add('test.hang', { ms: 3_000 });
    await started;
    // graceful=false only comes from the shutdown timer firing before the 3 s job ended.
    const { graceful } = await runtime.close();
    expect(graceful).toBe(false);
    await runtime.closed;
    expect(await job.isCompleted()).toBe(true);
  });
});
