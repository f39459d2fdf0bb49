import { QueueEvents, type Job } from 'bullmq';
import { ObjectId } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrainResult } from '../../src/gaps/drain.js';
import { recordGap, type GapStores } from '../../src/gaps/record.js';
import { stamp } from '../../src/jobs/envelope.js';
import { gapDrainJob } from '../../src/jobs/gaps/drain.js';
import {
  gapDrainSchedulerId,
  removeGapDrainScheduler,
  scheduleGapDrains,
} from '../../src/jobs/gaps/schedule.js';
import { JOBS } from '../../src/jobs/registry.js';
import { createLogger } from '../../src/logger.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { startWorkers, type WorkerRuntime } from '../../src/workers/runtime.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** Small batches, so that every worker holds some while the others claim theirs. */
const BATCH = 25;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gaps: drained by workers', () => {
  let stack: TestStack;
  let stores: GapStores;
  let events: QueueEvents;

  beforeAll(async () => {
    stack = await startTestStack();
    stores = { pool: stack.deps.db.$client, mongo: stack.deps.mongo };
    events = new QueueEvents('gaps', {
      connection: { url: TEST_REDIS_URL },
      prefix: stack.config.QUEUE_PREFIX,
    });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events?.close();
    await stack?.stop();
  });

  /** `n` new configsettings documents, each with an open forward gap (their Postgres sync "failed"). */
  async function documentsWithGaps(n: number, label: string): Promise<ObjectId[]> {
    const ids = Array.from({ length: n }, () => new ObjectId());
    await stack.source
      .collection<Document>('configsettings')
      .insertMany(ids.map((_id, i) => ({ _id, key: `${label}.${i}`, value: { i } })));
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids
          .slice(i, i + 50)
          .map((id) =>
            recordGap(stores, { collection: 'configsettings', id, op: 'upsert', error: new Error('lost') }),
          ),
      );
    }
    return ids;
  }

  const gapStates = async (ids: readonly ObjectId[]) =>
    (
      await stack.pg.db.$client.query<{ status: string; attempts: number; n: string }>(
        `SELECT status, attempts, count(*) AS n FROM pg_dualwrite_gaps
          WHERE legacy_object_id = ANY($1) GROUP BY status, attempts ORDER BY status, attempts`,
        [ids.map((id) => id.toHexString())],
      )
    ).rows.map((r) => ({ status: r.status, attempts: r.attempts, n: Number(r.n) }));

  it('three workers drain 500 gaps concurrently, each gap exactly once', async () => {
    const ids = await documentsWithGaps(500, 'bulk');
    const workerDeps: WorkerDeps[] = [];
    const runtimes: WorkerRuntime[] = [];
    const drainedBy = [0, 0, 0];
    try {
      for (let w = 0; w < 3; w++) {
        const deps = await openDeps(stack.config, createLogger('silent'));
        workerDeps.push(deps);
        const runtime = startWorkers(deps, { queues: ['gaps'], concurrency: 2, shutdownTimeoutMs: 10_000 });
        runtime.workers[0]!.on(
          'completed',
          (_job, result: DrainResult) => (drainedBy[w]! += result.resolved),
        );
        runtimes.push(runtime);
      }
      await Promise.all(runtimes.map((r) => r.ready()));

      const started = performance.now();
      // Six drains at once over three workers.
      const jobs: Job[] = await stack.deps.queues.gaps.addBulk(
        Array.from({ length: 6 }, () => ({
          name: gapDrainJob.name,
          data: stamp(stack.deps.deployment, { batchSize: BATCH }),
        })),
      );
      const results = (await Promise.all(
        jobs.map((job) => job.waitUntilFinished(events, 60_000)),
      )) as DrainResult[];
      const seconds = (performance.now() - started) / 1000;

      // The workers' own scheduler (every 5 s) may drain beside these six jobs: count what every drain job
      // on the three workers resolved, once they are closed (closing waits for running jobs).
      const sum = (key: keyof DrainResult) => results.reduce((n, r) => n + r[key], 0);
      expect(sum('retrying') + sum('dead') + sum('superseded')).toBe(0);
      await Promise.all(runtimes.map(async (r) => (await r.close(), await r.closed)));
      expect(drainedBy.reduce((a, b) => a + b, 0)).toBe(500);
      // Exactly once: every gap resolved on its first and only attempt.
      expect(await gapStates(ids)).toEqual([{ status: 'resolved', attempts: 1, n: 500 }]);
      const { rows } = await stack.pg.db.$client.query<{ n: string }>(
        `SELECT count(*) AS n FROM config_settings WHERE legacy_object_id = ANY($1)`,
        [ids.map((id) => id.toHexString())],
      );
      expect(Number(rows[0]!.n)).toBe(500);
      console.log(
        `gap drain rate: ${(500 / seconds).toFixed(0)} gaps/s (500 configsettings gaps in ${seconds.toFixed(2)} s; ` +
          `3 worker runtimes, each with its own Postgres pool, Mongo client and Redis connection, concurrency 2; ` +
          `6 drain jobs of ${BATCH}-gap batches; embedded MongoDB; resolved per worker ${drainedBy.join('/')})`,
      );
    } finally {
      await Promise.all(runtimes.map(async (r) => (await r.close(), await r.closed)));
      await Promise.all(workerDeps.map((d) => d.close()));
    }
  });

  it('the job scheduler drains new gaps with nobody calling drain', async () => {
    stack.startWorkers(2, { queues: ['gaps'] });
    // What every worker serving the gaps queue does on start (src/jobs/gaps/schedule.ts), twice: idempotent.
    for (let w = 0; w < 2; w++)
      await scheduleGapDrains(stack.deps, { queues: ['gaps'], jobs: JOBS }, { everyMs: 250 });
    // A runtime that does not serve the drain job schedules nothing.
    await scheduleGapDrains(stack.deps, { queues: ['backfill'], jobs: JOBS }, { everyMs: 1 });
    const scheduler = await stack.deps.queues.gaps.getJobScheduler(
      gapDrainSchedulerId(stack.deps.deployment),
    );
    expect(scheduler).toMatchObject({ every: 250, name: gapDrainJob.name });
    expect(await stack.deps.queues.gaps.getJobSchedulersCount()).toBe(1);
    try {
      for (const round of ['first', 'second']) {
        const ids = await documentsWithGaps(40, `scheduled.${round}`);
        const deadline = Date.now() + 20_000;
        for (;;) {
          const states = await gapStates(ids);
          if (states.length === 1 && states[0]!.status === 'resolved') break;
          if (Date.now() > deadline) throw new Error(`gaps not drained: ${JSON.stringify(states)}`);
          await sleep(100);
        }
        expect(await gapStates(ids)).toEqual([{ status: 'resolved', attempts: 1, n: 40 }]);
      }
    } finally {
      await removeGapDrainScheduler(stack.deps.queues.gaps, stack.deps.deployment);
      await stack.stopWorkers();
    }
  });
});
