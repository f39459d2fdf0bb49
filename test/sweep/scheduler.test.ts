import { ObjectId } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/backfill/start.js';
import { JOBS } from '../../src/jobs/registry.js';
import { deltaSweepJob } from '../../src/jobs/sweep/sweep.js';
import { scheduleSweeps, sweepSchedulerId } from '../../src/jobs/sweep/schedule.js';
import { createLogger } from '../../src/logger.js';
import { changeMode } from '../../src/modes/changeMode.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { startWorkers, type WorkerRuntime } from '../../src/workers/runtime.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { mappingProblems } from './oracle.js';
import { gapGates } from '../../src/modes/gates/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('delta sweep: scheduled on the workers', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 200, seed: 23, quirkRate: 0 });
    stack.startWorkers(2);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 200 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    await stack.stopWorkers();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('(d) a worker serving the sweep queue schedules the sweep (SWEEP_EVERY_MS) and it syncs with nobody asking', async () => {
    await changeMode(
      stack.deps.db,
      { collection: 'configsettings', to: 'dual', actor: 'test' },
      { gates: gapGates(stack.deps.db) },
    );
    // A runtime that does not serve the sweep queue schedules nothing.
    await scheduleSweeps(stack.deps, { queues: ['gaps', 'backfill'], jobs: JOBS }, { everyMs: 1 });
    expect(await stack.deps.queues.sweep.getJobSchedulersCount()).toBe(0);

    let deps: WorkerDeps | undefined;
    let runtime: WorkerRuntime | undefined;
    try {
      deps = await openDeps({ ...stack.config, SWEEP_EVERY_MS: 300 }, createLogger('silent'));
      runtime = startWorkers(deps, { queues: ['sweep'], concurrency: 1, shutdownTimeoutMs: 10_000 });
      await runtime.ready();
      expect(await deps.queues.sweep.getJobScheduler(sweepSchedulerId(deps.deployment))).toMatchObject({
        every: 300,
        name: deltaSweepJob.name,
      });
      expect(await deps.queues.sweep.getJobSchedulersCount()).toBe(1);

      const settings = stack.source.collection<Document>('configsettings');
      for (const round of ['first', 'second']) {
        const ids = Array.from({ length: 30 }, () => new ObjectId());
        const now = new Date();
        await settings.insertMany(
          ids.map((_id, i) => ({
            _id,
            key: `sweep.${round}.${i}`,
            value: { i },
            createdAt: now,
            updatedAt: now,
          })),
        );
        const started = performance.now();
        const deadline = Date.now() + 20_000;
        for (;;) {
          const problems = await mappingProblems(stack.pg.db.$client, stack.source, 'configsettings', ids);
          if (problems.length === 0) break;
          if (Date.now() > deadline) throw new Error(`not swept: ${problems.slice(0, 5).join('; ')}`);
          await sleep(100);
        }
        console.log(
          `scheduled sweep (every 300 ms): ${round} 30 documents in Postgres after ${(performance.now() - started).toFixed(0)} ms`,
        );
      }
      const { rows } = await stack.pg.db.$client.query<{ collection: string }>(
        `SELECT collection FROM sweep_checkpoints ORDER BY 1`,
      );
      expect(rows.map((r) => r.collection)).toEqual(['configsettings']);

      // SWEEP_EVERY_MS=0 turns it off: the next worker start removes the scheduler.
      await scheduleSweeps(deps, { queues: ['sweep'], jobs: JOBS }, { everyMs: 0 });
      expect(await deps.queues.sweep.getJobSchedulersCount()).toBe(0);
    } finally {
      if (runtime) {
        await runtime.close();
        await runtime.closed;
      }
      await deps?.close();
    }
  });
});
