import { ObjectId } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChunk } from '../../src/backfill/copyChunk.js';
import { inTransaction } from '../../src/backfill/runState.js';
import { startBackfill } from '../../src/backfill/start.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** A small deterministic PRNG, so a failing interleaving can be replayed from its seed. */
function rng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sync: the one operation behind retries, dual writes, gap drains and repairs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 400, seed: 5, quirkRate: 0 });
    stack.startWorkers(2);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 100 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const displayNameOf = async (id: ObjectId) => {
    const { rows } = await stack.pg.db.$client.query<{ name: string | null; deleted: Date | null }>(
      `SELECT profile_display_name AS name, source_deleted_at AS deleted FROM users WHERE legacy_object_id = $1`,
      [id.toHexString()],
    );
    return rows[0];
  };

  /** A whole-collection backfill chunk racing the syncs: it takes no document lock, only the read-time guard. */
  const backfillUsers = () =>
    inTransaction(stack.pg.db.$client, (client) =>
      copyChunk(client, stack.deps.mongo, REGISTRY.get('users'), {
        runId: null,
        range: { type: 'objectId', lo: null, hi: null },
        since: null,
      }),
    );

  for (const seed of [1, 2, 3]) {
    it(`many writers on one document, racing backfill chunks and a delete: the row ends as MongoDB's last write (seed ${seed})`, async () => {
      const random = rng(seed);
      const users = stack.source.collection<Document>('users');
      const targets = (
        await users.find({ 'profile.displayName': { $exists: true } }, { limit: 2, skip: seed * 3 }).toArray()
      ).map((u) => u._id as ObjectId);
      const writers = 16;
      const tasks: Promise<unknown>[] = [];
      for (const id of targets) {
        for (let w = 0; w < writers; w++) {
          tasks.push(
            (async () => {
              await sleep(random() * 40);
              // No updatedAt: the guard must not depend on the document's own version.
              await users.updateOne(
                { _id: id },
                { $set: { 'profile.displayName': `seed${seed}-writer${w}` } },
              );
              await sleep(random() * 5);
              await syncDocuments(stack.pg.db.$client, stack.deps.mongo, 'users', [id]);
            })(),
          );
        }
        // One writer deletes the document and puts it back, each followed by its sync, as a repository would.
        tasks.push(
          (async () => {
            await sleep(random() * 40);
            const doc = await users.findOne({ _id: id });
            await users.deleteOne({ _id: id });
            await syncDocuments(stack.pg.db.$client, stack.deps.mongo, 'users', [id]);
            await sleep(random() * 5);
            await users.insertOne(doc!);
            await syncDocuments(stack.pg.db.$client, stack.deps.mongo, 'users', [id]);
          })(),
        );
      }
      for (let c = 0; c < 3; c++) tasks.push(sleep(random() * 40).then(backfillUsers));
      await Promise.all(tasks);

      for (const id of targets) {
        const final = await users.findOne({ _id: id });
        const row = await displayNameOf(id);
        expect(row, id.toHexString()).toEqual({ name: final!.profile.displayName, deleted: null });
      }
    });
  }

  it('concurrent syncs of a document new to Postgres write one row and reject nothing', async () => {
    const users = stack.source.collection<Document>('users');
    const template = await users.findOne({ email: { $type: 'string' } });
    const id = new ObjectId();
    await users.insertOne({
      ...template!,
      _id: id,
      email: `new-${id.toHexString()}@example.com`,
      referralCode: null,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => syncDocuments(stack.pg.db.$client, stack.deps.mongo, 'users', [id])),
    );
    // Serialised by the per-document lock (and, behind it, by the id_map insert): no loser of an INSERT
    // race may turn into a constraint_violation reject of a document that maps.
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const { rows } = await stack.pg.db.$client.query(
      `SELECT (SELECT count(*)::int FROM users WHERE legacy_object_id = $1) AS rows,
              (SELECT count(*)::int FROM migration_rejects WHERE collection = 'users' AND legacy_object_id = $1) AS rejects`,
      [id.toHexString()],
    );
    expect(rows[0]).toEqual({ rows: 1, rejects: 0 });
  });

  it('a sync of a document that left MongoDB retires its row, and one of an unknown id does nothing', async () => {
    const reviews = stack.source.collection<Document>('reviews');
    const review = await reviews.findOne({});
    await reviews.deleteOne({ _id: review!._id });
    const outcome = await syncDocuments(stack.pg.db.$client, stack.deps.mongo, 'reviews', [
      review!._id,
      new ObjectId(),
    ]);
    expect(outcome).toEqual({ documents: 2, migrated: 0, rejected: 0, departed: 1 });
    const { rows } = await stack.pg.db.$client.query(`SELECT 1 FROM reviews WHERE legacy_object_id = $1`, [
      (review!._id as ObjectId).toHexString(),
    ]);
    expect(rows).toEqual([]);
  });
});
