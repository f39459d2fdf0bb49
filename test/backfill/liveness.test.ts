import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionJobId } from '../../src/backfill/jobIds.js';
import { completeCollection } from '../../src/backfill/runState.js';
import { resumeInterruptedRuns, startBackfill } from '../../src/backfill/start.js';
import { runLiveness } from '../../src/queue/runLiveness.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { tableShape } from '../../src/backfill/sql/tableShape.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { watchRunFailures } from '../../src/workers/failures.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * A run never waits forever: a lost promotion is redone by the next pass, and a job that BullMQ fails
 * where no processor code runs still marks the run failed in Postgres.
 */
describe('a run always ends', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 1500, seed: 3, quirkRate: 0.02 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function collectionStatus(runId: string, collection: string): Promise<string | undefined> {
    const { rows } = await stack.pg.db.$client.query<{ status: string }>(
      `SELECT status FROM backfill_run_collections WHERE run_id = $1 AND collection = $2`,
      [runId, collection],
    );
    return rows[0]?.status;
  }

  // First in the file: a worker's stalled check holds a queue-wide lock key for its stalledInterval (30 s
  // for the runtime's workers), during which no other worker checks; here only the dying worker runs.
  it('a job stalled past maxStalledCount marks the run failed', async () => {
    const { runId } = await startBackfill(stack.deps, { collections: ['levelconfigs'] });
    // Only the failure listener of a real worker process, and a consumer that keeps dying: it takes a job
    // and never renews its lock (what a process killed mid-job looks like to BullMQ).
    const watch = watchRunFailures(stack.deps);
    await watch.ready();
    const held: (() => void)[] = [];
    const dying = new Worker('backfill', () => new Promise<void>((resolve) => held.push(resolve)), {
      connection: { url: TEST_REDIS_URL },
      prefix: stack.config.QUEUE_PREFIX,
      concurrency: 5,
      skipLockRenewal: true,
      lockDuration: 300,
      stalledInterval: 300,
      maxStalledCount: 1,
    });
    dying.on('error', () => undefined);
    try {
      const progress = await stack.waitForRun(runId, 30_000);
      expect(progress.status).toBe('failed');
      expect(progress.error).toMatch(/stalled more than allowable limit/);
      expect(held.length).toBeGreaterThanOrEqual(2); // it really was taken, and stalled, more than once
    } finally {
      for (const release of held) release();
      await dying.close(true);
      await watch.close();
    }
  });

  it('a completion committed without its promotion: the re-run of the parent job still releases the child', async () => {
    expect([...(REGISTRY.graph.parents.get('users') ?? [])]).toContain('levelconfigs');
    // The parent's rows, copied for real by an earlier run.
    stack.startWorkers(2);
    const earlier = await startBackfill(stack.deps, { collections: ['levelconfigs'] });
    expect((await stack.waitForRun(earlier.runId, 30_000)).status).toBe('completed');
    await stack.stopWorkers();

    const { runId } = await startBackfill(stack.deps, { collections: ['levelconfigs', 'users'] });
    expect(await collectionStatus(runId, 'users')).toBe('parked');
    // What a worker leaves when it dies right after completeCollection committed: Postgres says the
    // parent is completed and the child released, BullMQ still holds the parent's job (it will run
    // again) and the child's job parked.
    await completeCollection(stack.pg.db.$client, runId, 'levelconfigs');
    expect(await collectionStatus(runId, 'users')).toBe('queued');
    const child = await Job.fromId(stack.deps.queues.backfill, collectionJobId(runId, 'users'));
    expect(await child?.isDelayed()).toBe(true);

    stack.startWorkers(2);
    const progress = await stack.waitForRun(runId, 30_000);
    expect(progress.status).toBe('completed');
    expect(progress.collections.map((c) => [c.name, c.status])).toEqual([
      ['levelconfigs', 'completed'],
      ['users', 'completed'],
    ]);
    // The child really ran: every user is a row or a reject.
    const source = await stack.source.collection('users').countDocuments();
    const { rows } = await stack.pg.db.$client.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM ${tableShape(REGISTRY.get('users').table).quoted})::int
            + (SELECT count(*) FROM migration_rejects WHERE collection = 'users' AND resolved_at IS NULL)::int AS n`,
    );
    expect(rows[0]!.n).toBe(source);
    expect(source).toBeGreaterThan(0);
    await stack.stopWorkers();
  });

  it('a payload refused before its processor runs marks the run failed', async () => {
    const { runId } = await startBackfill(stack.deps, { collections: ['levelconfigs'] });
    const job = await Job.fromId(stack.deps.queues.backfill, collectionJobId(runId, 'levelconfigs'));
    // A key the strict payload schema refuses: the job fails (for good) in dispatch, before any processor.
    await job!.updateData({ ...(job!.data as object), unexpected: true });
    stack.startWorkers(2);
    const progress = await stack.waitForRun(runId, 30_000);
    expect(progress.status).toBe('failed');
    expect(progress.error).toMatch(/invalid payload for backfill\.collection/);
    expect(progress.collections[0]).toMatchObject({ name: 'levelconfigs', status: 'failed' });
    await stack.stopWorkers();
  });

  it('a run whose jobs Redis partly lost is rebuilt when a worker starts', async () => {
    const { runId } = await startBackfill(stack.deps, { collections: ['levelconfigs', 'users'] });
    // Lose one job's keys the way a Redis evicting keys would: the root still waits for it, the
    // dependant stays parked, and nothing of the run can move any more.
    const lost = collectionJobId(runId, 'levelconfigs');
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await redis.del(`${stack.config.QUEUE_PREFIX}:backfill:${lost}`);
      await redis.lrem(`${stack.config.QUEUE_PREFIX}:backfill:wait`, 0, lost);
    } finally {
      redis.disconnect();
    }
    expect(await runLiveness(stack.deps.queues.backfill, runId)).toEqual({
      live: 0,
      rootPresent: true,
      parked: ['users'],
      waitingForChunks: [],
    });

    expect(await resumeInterruptedRuns(stack.deps)).toEqual([runId]);
    stack.startWorkers(2);
    const progress = await stack.waitForRun(runId, 30_000);
    expect(progress.status).toBe('completed');
    expect(progress.collections.map((c) => c.status)).toEqual(['completed', 'completed']);
    await stack.stopWorkers();
  });
});
