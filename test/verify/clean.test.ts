import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { planRanges } from '../../src/backfill/plan.js';
import { verifyCounts, verifyMoney, verifyRange } from '../../src/verify/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { ALL_COLLECTIONS, verifyCollection } from './support.js';

describe('verify after a clean backfill (quirky data: rejects, dangling refs, legacy money)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 600, seed: 11 });
    stack.startWorkers(2);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 100 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    await stack.stopWorkers();
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('every range of every collection matches; rejects are accounted, not matched', async () => {
    const rejects = await stack.pg.db.$client.query<{ collection: string; n: number }>(
      `SELECT collection, count(*)::int AS n FROM migration_rejects WHERE resolved_at IS NULL GROUP BY 1`,
    );
    const rejectsOf = new Map(rejects.rows.map((r) => [r.collection, r.n]));
    for (const collection of ALL_COLLECTIONS) {
      const verdict = await verifyCollection(stack, collection);
      expect({ collection, mismatches: verdict.mismatches }).toEqual({ collection, mismatches: [] });
      expect(verdict.matched).toBe(verdict.compared);
      expect(verdict.accounted.rejected).toBe(rejectsOf.get(collection) ?? 0);
      const source = await stack.source.collection(collection).countDocuments({});
      expect(verdict.compared + verdict.accounted.rejected).toBe(source);
    }
    expect([...rejectsOf.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 120_000);

  it('a clean range takes the cheap path: one hash per side, equal', async () => {
    const [range] = await planRanges(stack.source, 'users', 50);
    const verdict = await verifyRange(stack.pg.db.$client, stack.source, 'users', range!);
    expect(verdict.compared).toBeGreaterThan(0);
    expect(verdict.hashes.mongo).toMatch(/^[0-9a-f]{64}$/);
    expect(verdict.hashes.pg).toBe(verdict.hashes.mongo);
  });

  it('counts agree per collection and per reference', async () => {
    for (const collection of ALL_COLLECTIONS) {
      const counts = await verifyCounts(stack.pg.db.$client, stack.source, collection);
      expect({ collection, ok: counts.ok, counts }).toMatchObject({ collection });
      if (!counts.ok) console.log(JSON.stringify(counts));
      else expect(counts.ok).toBe(true);
      if (!counts.ok) console.log(JSON.stringify(counts));
      for (const ref of counts.references) expect(ref.column).not.toMatch(/^unknown/);
    }
  }, 60_000);

  it('money is green, and says what it excluded', async () => {
    const money = await verifyMoney(stack.pg.db.$client, stack.source);
    expect(money.checks.filter((c) => !c.ok)).toEqual([]);
    expect(money.unreadable).toEqual({ payments: [], fundsledgerentries: [] });
    expect(money.ok).toBe(true);
    expect(money.checks.some((c) => c.name === 'payments_sum')).toBe(true);
    expect(money.checks.some((c) => c.name === 'escrow_net')).toBe(true);
    expect(money.excluded.fundsledgerentries!.rejected).toBeGreaterThan(0);
  }, 60_000);
});
