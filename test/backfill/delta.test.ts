import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryRejects } from '../../src/backfill/retry.js';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase, type SeedResult } from '../../src/synthetic/seed.js';
import { startTestStack, type TestStack } from '../support/stack.js';

describe('after the first backfill', () => {
  let stack: TestStack;
  let seed: SeedResult;
  beforeAll(async () => {
    stack = await startTestStack();
    seed = await seedDatabase(stack.source, { docs: 2000, seed: 3, quirkRate: 0.05 });
    stack.startWorkers(4);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 300 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('--since re-copies only what changed after that instant (updatedAt, else the ObjectId time)', async () => {
    const since = new Date();
    await new Promise((resolve) => setTimeout(resolve, 10)); // `--since` means strictly after
    const users = stack.source.collection('users');
    const changed = await users.find({ role: 'seller' }, { limit: 3 }).toArray();
    for (const user of changed) {
      await users.updateOne(
        { _id: user._id },
        { $set: { 'profile.displayName': 'Renamed ✨', updatedAt: new Date() } },
      );
    }
    const { runId } = await startBackfill(stack.deps, { collections: ['users'], since });
    const progress = await stack.waitForRun(runId);
    expect(progress.status).toBe('completed');
    expect(progress.totals.docsRead).toBe(changed.length);
    const { rows } = await stack.pg.db.$client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users WHERE profile_display_name = 'Renamed ✨'`,
    );
    expect(rows[0]!.n).toBe(changed.length);
  });

  it('a deferred reference removed or changed in Mongo is removed or changed in Postgres', async () => {
    const categories = stack.source.collection('categories');
    const child = await categories.findOne({ parentId: { $type: 'objectId' } });
    const other = await categories.findOne({ _id: { $nin: [child!._id, child!.parentId] }, parentId: null });
    const users = stack.source.collection('users');
    const referred = await users.findOne({ referredBy: { $type: 'objectId' } });
    const newReferrer = await users.findOne({ _id: { $nin: [referred!._id, referred!.referredBy] } });
    await categories.updateOne(
      { _id: child!._id },
      { $unset: { parentId: '' }, $set: { updatedAt: new Date() } },
    );
    await categories.updateOne(
      { _id: other!._id },
      { $set: { parentId: child!._id, updatedAt: new Date() } },
    );
    await users.updateOne(
      { _id: referred!._id },
      { $set: { referredBy: newReferrer!._id, updatedAt: new Date() } },
    );

    const { runId } = await startBackfill(stack.deps, { collections: ['categories', 'users'] });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    const parentOf = async (table: string, column: string, id: { toHexString(): string }) => {
      const { rows } = await stack.pg.db.$client.query<{ parent: string | null }>(
        `SELECT p.legacy_object_id AS parent FROM ${table} t LEFT JOIN ${table} p ON p.id = t.${column}
          WHERE t.legacy_object_id = $1`,
        [id.toHexString()],
      );
      return rows[0]!.parent;
    };
    expect(await parentOf('categories', 'parent_id', child!._id)).toBeNull();
    expect(await parentOf('categories', 'parent_id', other!._id)).toBe(child!._id.toHexString());
    expect(await parentOf('users', 'referred_by_id', referred!._id)).toBe(newReferrer!._id.toHexString());
  });

  it('an older read never overwrites a newer row (dual-write races backfill)', async () => {
    const user = await stack.source.collection('users').findOne({ role: 'buyer', email: { $exists: true } });
    const id = user!._id.toHexString();
    // A dual-write sync that began reading MongoDB after this run's chunks did already wrote the row.
    const future = new Date(Date.now() + 3_600_000);
    await stack.pg.db.$client.query(
      `UPDATE users SET email = 'newer@example.com', source_read_at = $2 WHERE legacy_object_id = $1`,
      [id, future],
    );
    const { runId } = await startBackfill(stack.deps, { collections: ['users'] });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    const { rows } = await stack.pg.db.$client.query(`SELECT email FROM users WHERE legacy_object_id = $1`, [
      id,
    ]);
    expect(rows[0]!.email).toBe('newer@example.com');
  });

  it('rejects can be retried once the data is fixed, and settle', async () => {
    const invalidEnum = seed.quirks.filter((q) => q.collection === 'users' && q.quirk === 'invalid_enum');
    expect(invalidEnum.length).toBeGreaterThan(0);
    const { ObjectId } = await import('bson');
    for (const quirk of invalidEnum) {
      await stack.source
        .collection('users')
        .updateOne({ _id: new ObjectId(quirk.id) }, { $set: { role: 'buyer' } });
    }
    const result = await retryRejects(stack.deps, { collection: 'users', reason: 'invalid_enum' });
    expect(result).toEqual({
      documents: invalidEnum.length,
      migrated: invalidEnum.length,
      stillRejected: 0,
      missing: 0,
    });
    const { rows } = await stack.pg.db.$client.query<{ open: number; resolved: number }>(
      `SELECT count(*) FILTER (WHERE resolved_at IS NULL)::int AS open, count(resolved_at)::int AS resolved
         FROM migration_rejects WHERE collection = 'users' AND reason = 'invalid_enum'`,
    );
    expect(rows[0]).toEqual({ open: 0, resolved: invalidEnum.length });
    // A reject that is still wrong stays open, with its reason refreshed.
    const still = await retryRejects(stack.deps, { collection: 'users', reason: 'invalid_type' });
    expect(still.migrated).toBe(0);
    expect(still.stillRejected).toBe(still.documents);
  });
});
