import { QueueEvents } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/audit/report.js';
import { startBackfill } from '../../src/backfill/start.js';
import { loadConfig } from '../../src/config/env.js';
import { stamp } from '../../src/jobs/envelope.js';
import { consumersOf } from '../../src/queue/consumers.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { describeDeployment } from '../../src/workers/identity.js';
import { startWorkers, type WorkerRuntime } from '../../src/workers/runtime.js';
import { withDatabase } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Two workers of the wrong deployment share the right one's Redis and prefix: one connected to another
 * Postgres database, one to the same Postgres but another Mongo database (it would write the wrong data
 * into the right tables). They must take nothing: the right worker completes the run and the audit.
 */
describe('a worker serves only the jobs of its own deployment', () => {
  let stack: TestStack;
  let otherPg: TestDatabase;
  const wrong: { deps: WorkerDeps; runtime: WorkerRuntime; lines: string[] }[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 2000, seed: 8, quirkRate: 0.02 });
    otherPg = await createTestDatabase();
    const base = {
      REDIS_URL: stack.config.REDIS_URL,
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
      MONGO_URL: stack.config.MONGO_URL,
      PG_URL: stack.config.PG_URL,
    };
    const emptyMongo = withDatabase(stack.config.MONGO_URL, 'not_the_source');
    for (const env of [
      { ...base, PG_URL: otherPg.url },
      { ...base, MONGO_URL: emptyMongo },
    ]) {
      const lines: string[] = [];
      const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const deps = await openDeps(loadConfig(env), log);
      const runtime = startWorkers(deps, { queues: ['backfill', 'verify'], concurrency: 4 });
      await runtime.ready();
      wrong.push({ deps, runtime, lines });
    }
  });
  afterAll(async () => {
    for (const w of wrong) {
      await w.runtime.close();
      await w.runtime.closed;
      await w.deps.close();
    }
    await otherPg?.drop();
    await stack?.stop();
  });

  const refusals = (lines: string[]) => lines.filter((line) => line.includes('another deployment'));
  async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('tells the deployments apart, and producers count only their own workers', async () => {
    const [otherDb, otherMongo] = wrong.map((w) => w.deps.deployment);
    expect(otherDb).toMatchObject({ pgSystemId: stack.deps.deployment.pgSystemId, pgDatabase: otherPg.name });
    expect(otherMongo).toMatchObject({ pgDatabase: stack.pg.name, mongoDatabase: 'not_the_source' });
    expect(await consumersOf(stack.deps.queues.backfill, stack.deps.deployment)).toEqual({
      ours: 0,
      others: 2,
    });
  });

  it('the right worker completes the run that the wrong ones keep setting aside', async () => {
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 250 });
    // Only wrong workers so far: each sees the run's jobs, refuses them and says so once.
    await until(() => wrong.every((w) => refusals(w.lines).length > 0), 'both wrong workers refused a job');
    stack.startWorkers(2);
    // Slow by design, not by load alone: 8 wrong slots against 2 right ones, and every job a wrong worker
    // takes is set aside 1–2 s, along a critical path of 16 collections parents-first (~75 s alone on
    // 2 cores). The budget is a deadlock guard, not a speed check.
    const progress = await stack.waitForRun(runId, 240_000);
    expect(progress.status).toBe('completed');
    expect(progress.totals.chunksDone).toBe(progress.totals.chunksPlanned);
    let source = 0;
    for (const c of progress.collections) source += await stack.source.collection(c.name).countDocuments();
    expect(progress.totals.docsRead).toBe(source);
    // Every chunk was copied by the right process, and the wrong database saw nothing of the run.
    const { rows } = await otherPg.db.$client.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM backfill_chunks)::int + (SELECT count(*) FROM id_map)::int AS n`,
    );
    expect(rows[0]!.n).toBe(0);
    expect(await stack.deps.queues.backfill.getFailedCount()).toBe(0);

    for (const w of wrong) {
      const lines = refusals(w.lines);
      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0]!) as { msg: string; level: number };
      expect(entry.level).toBe(50); // error
      expect(entry.msg).toContain(describeDeployment(stack.deps.deployment));
      expect(entry.msg).toContain(describeDeployment(w.deps.deployment));
    }
  }, 300_000);

  it('an audit job is answered by the right worker only, about the right database', async () => {
    const events = new QueueEvents('verify', {
      connection: stack.deps.workerRedis,
      prefix: stack.config.QUEUE_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await stack.deps.queues.verify.add(
        'verify.audit',
        stamp(stack.deps.deployment, { collections: ['levelconfigs'] }),
      );
      // The wrong workers get it first and set it aside, unanswered.
      await until(async () => (await job.getState()) === 'delayed', 'the audit job was set aside');
      stack.startWorkers(1, { queues: ['verify'] });
      const report = (await job.waitUntilFinished(events, 30_000)) as AuditReport;
      expect(report.collections.map((c) => c.collection)).toEqual(['levelconfigs']);
      expect(report.collections[0]!.documents).toBe(
        await stack.source.collection('levelconfigs').countDocuments(),
      );
      // One report in the right database (the worker on the wrong Mongo would have stored one here too).
      const stored = await stack.pg.db.$client.query(`SELECT id FROM audit_reports`);
      expect(stored.rows).toEqual([{ id: report.id }]);
      const elsewhere = await otherPg.db.$client.query(`SELECT id FROM audit_reports`);
      expect(elsewhere.rows).toEqual([]);
    } finally {
      await events.close();
    }
  });
});
