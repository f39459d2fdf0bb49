import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/runAudit.js';
import type { AuditReport } from '../../src/audit/report.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { consumersOf } from '../../src/queue/consumers.js';
import { STRANGLER_BIN, runCli } from '../support/cli.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** Rejects that only Postgres can decide (unique clashes); the audit reads Mongo alone. */
const POSTGRES_ONLY = new Set(['constraint_violation']);

describe('strangler audit', () => {
  let stack: TestStack;
  let report: AuditReport;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 5000, seed: 5, quirkRate: 0.05 });
    report = await runAudit(stack.deps.mongo, stack.pg.db.$client);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('reports every collection, its field shapes, and predicts what the backfill then rejects', async () => {
    expect(report.collections.map((c) => c.collection)).toEqual([...REGISTRY.order]);
    for (const c of report.collections) {
      expect(c.documents).toBe(await stack.source.collection(c.collection).countDocuments());
    }
    const users = report.collections.find((c) => c.collection === 'users')!;
    expect(users.fields.referredBy).toBeDefined();

    stack.startWorkers(4);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 400 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    const { rows } = await stack.pg.db.$client.query<{ collection: string; reason: string; n: number }>(
      `SELECT collection, reason, count(*)::int AS n FROM migration_rejects
        WHERE resolved_at IS NULL GROUP BY 1, 2`,
    );
    const actual: Record<string, Record<string, number>> = {};
    for (const r of rows) if (!POSTGRES_ONLY.has(r.reason)) (actual[r.collection] ??= {})[r.reason] = r.n;
    const predicted: Record<string, Record<string, number>> = {};
    for (const c of report.collections)
      if (Object.keys(c.reject).length > 0) predicted[c.collection] = c.reject;
    expect(predicted).toEqual(actual);
  });

  it('is stored, and printed by the CLI as JSON', async () => {
    const { rows } = await stack.pg.db.$client.query(`SELECT id FROM audit_reports WHERE id = $1`, [
      report.id,
    ]);
    expect(rows).toHaveLength(1);
    const result = await runCli(['audit', '--json', '--local', '--collections', 'users,addresses'], {
      PG_URL: stack.config.PG_URL,
      MONGO_URL: stack.config.MONGO_URL,
      REDIS_URL: stack.config.REDIS_URL,
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as AuditReport;
    expect(printed.collections.map((c) => c.collection)).toEqual(['users', 'addresses']);
  });

  describe('the CLI exits once it has printed the report', () => {
    const env = () => ({
      PG_URL: stack.config.PG_URL,
      MONGO_URL: stack.config.MONGO_URL,
      REDIS_URL: stack.config.REDIS_URL,
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
    });
    const args = ['audit', '--json', '--collections', 'levelconfigs,users'];

    it('with no worker of this deployment: audits in its own process', async () => {
      const result = await runCli(args, env(), 30_000);
      expect(result.code).toBe(0); // null would mean killed at the timeout: it hung
      expect(result.stderr).toMatch(
        /no worker of this deployment consumes the verify queue: auditing in this process/,
      );
      const printed = JSON.parse(result.stdout) as AuditReport;
      expect(printed.collections.map((c) => c.collection)).toEqual(['levelconfigs', 'users']);
    });

    it('with `strangler worker` running: the audit is a job on it, and the CLI still exits', async () => {
      const worker = spawn(process.execPath, [STRANGLER_BIN, 'worker', '--queues', 'verify'], {
        env: { ...process.env, ...env(), LOG_LEVEL: 'silent' },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => worker.on('exit', resolve));
      try {
        const deadline = Date.now() + 20_000;
        while ((await consumersOf(stack.deps.queues.verify, stack.deps.deployment)).ours === 0) {
          if (Date.now() > deadline) throw new Error('the worker never came up');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const result = await runCli(args, env(), 30_000);
        expect(result.code).toBe(0);
        expect(result.stderr).toMatch(/^audit job \S+ queued on the verify queue$/m);
        const printed = JSON.parse(result.stdout) as AuditReport;
        expect(printed.collections.map((c) => c.collection)).toEqual(['levelconfigs', 'users']);
        const stored = await stack.pg.db.$client.query(`SELECT 1 FROM audit_reports WHERE id = $1`, [
          printed.id,
        ]);
        expect(stored.rows).toHaveLength(1);
      } finally {
        worker.kill('SIGTERM');
        await exited;
      }
    }, 90_000);
  });
});
