import { QueueEvents } from 'bullmq';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config/env.js';
import { defineJob } from '../../src/jobs/define.js';
import { stamp } from '../../src/jobs/envelope.js';
import { createLogger } from '../../src/logger.js';
import { describeDeployment } from '../../src/workers/identity.js';
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
      const good = await deps.queues.verify.add('test.record', stamp(deps.deployment, { value: 'héllo 👋' }));
      expect(await good.waitUntilFinished(events)).toEqual({ stored: 'héllo 👋' });

      const bad = await deps.queues.verify.add(
        'test.record',
        stamp(deps.deployment, { value: 42, extra: true }),
        { attempts: 5 },
      );
      await expect(bad.waitUntilFinished(events)).rejects.toThrow(/invalid payload for test\.record/);
      const failed = await deps.queues.verify.getJob(bad.id!);
      expect(failed?.attemptsMade).toBe(1); // UnrecoverableError: no second attempt

      // A job that does not say which deployment enqueued it is refused the same way.
      const unstamped = await deps.queues.verify.add('test.record', { value: 'x' }, { attempts: 5 });
      await expect(unstamped.waitUntilFinished(events)).rejects.toThrow(/no valid deployment fingerprint/);

      const rows = await deps.db.execute(sql`SELECT value FROM test_records`);
      expect(rows.rows).toEqual([{ value: 'héllo 👋' }]);
    } finally {
      await events.close();
      await runtime.close();
    }
  });

  it("sets another deployment's job aside: not run, not failed, no attempt spent, one log line", async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const runtime = startWorkers({ ...deps, log }, { queues: ['verify'], jobs: [recordJob] });
    const theirs = { ...deps.deployment, pgDatabase: 'someone_else' };
    try {
      const jobs = await Promise.all(
        ['a', 'b'].map((value) => deps.queues.verify.add('test.record', stamp(theirs, { value }))),
      );
      const deadline = Date.now() + 10_000;
      while (!(await Promise.all(jobs.map((j) => j.getState()))).every((s) => s === 'delayed')) {
        if (Date.now() > deadline) throw new Error('the foreign jobs were never set aside');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const job of jobs) {
        const stored = await deps.queues.verify.getJob(job.id!);
        expect(stored?.attemptsMade).toBe(0);
        expect(stored?.failedReason).toBeFalsy();
      }
      const rows = await deps.db.execute(sql`SELECT value FROM test_records WHERE value IN ('a', 'b')`);
      expect(rows.rows).toEqual([]);
      // One line per foreign deployment, not one per job, and it names both sides.
      const refusals = lines.filter((line) => line.includes('another deployment'));
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toContain(describeDeployment(theirs));
      expect(refusals[0]).toContain(describeDeployment(deps.deployment));
    } finally {
      await runtime.close();
    }
  });

  it('shutdown waits for running jobs, and gives up after its own timeout', async () => {
    const runtime = startWorkers(deps, { queues: ['gaps'], jobs: [hangJob], shutdownTimeoutMs: 300 });
    const started = new Promise<void>((resolve) => (hangStarted = resolve));
    const job = await deps.queues.gaps.add('test.hang', stamp(deps.deployment, { ms: 3_000 }));
    await started;
    // graceful=false only comes from the shutdown timer firing before the 3 s job ended.
    const { graceful } = await runtime.close();
    expect(graceful).toBe(false);
    await runtime.closed;
    expect(await job.isCompleted()).toBe(true);
  });
});
