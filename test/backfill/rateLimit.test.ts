import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The rate limit that protects a production MongoDB. Asserted as a lower bound on the run's length,
 * which load can only lengthen: with at most R jobs started per second, J jobs need (J - R) / R seconds.
 */
describe('--rate-limit', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 600, seed: 4, quirkRate: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('spaces the backfill jobs across every worker', async () => {
    const perSecond = 10;
    stack.startWorkers(4, { rateLimitPerSecond: perSecond });
    stack.startWorkers(4, { rateLimitPerSecond: perSecond }); // a second worker shares the same limit
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 100 });
    const progress = await stack.waitForRun(runId);
    expect(progress.status).toBe('completed');
    // One run job, one job per collection (each processed twice: plan, then finish), and the chunks.
    const jobs = 1 + 2 * progress.collections.length + progress.totals.chunksPlanned;
    const seconds = (progress.finishedAt!.getTime() - progress.createdAt.getTime()) / 1000;
    expect(jobs).toBeGreaterThan(30);
    expect(seconds).toBeGreaterThanOrEqual((jobs - perSecond) / perSecond - 0.5);
  });
});
