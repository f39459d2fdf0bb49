import { MongoClient, ObjectId, type Db as MongoDb, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorDocuments } from '../../src/mirror/mirrorDocuments.js';
import { lockDocuments } from '../../src/sync/locks.js';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { copyCollections, expectStoresAgree } from '../support/agreement.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { documentAndRows, rng, sleep } from './support.js';

/**
 * A mirror (rows → MongoDB) racing a forward sync (MongoDB → rows) of the same documents, as during a
 * flip between `dual` and `pg`: writers change Postgres (then mirror) and MongoDB (then sync) at random
 * instants. Both follow-ups take the same per-document lock and read their source after taking it, so
 * whichever runs last leaves MongoDB's document equal to the unmap of the final rows. (Which write wins
 * is the lock order's call: with two authoritative stores at once, that is all a flip can promise.)
 */
/** `db` whose collections wait `delayMs()` before each bulkWrite. */
function withWriteLatency(db: MongoDb, delayMs: () => number): MongoDb {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'collection') return Reflect.get(target, property, receiver) as unknown;
      return (name: string) => {
        const collection = target.collection(name);
        return new Proxy(collection, {
          get(inner, key, innerReceiver) {
            const value = Reflect.get(inner, key, innerReceiver) as unknown;
            if (typeof value !== 'function') return value;
            if (key !== 'bulkWrite') return (value as (...a: unknown[]) => unknown).bind(inner);
            return async (...args: unknown[]) => {
              await sleep(delayMs());
              return (value as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
            };
          },
        });
      };
    },
  });
}

describe('mirror vs forward sync of one document: serialized by the document lock', () => {
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let pg: TestDatabase;
  const pool = () => pg.db.$client;

  beforeAll(async () => {
    mongo = await startTestMongo();
    client = new MongoClient(mongo.url);
    await client.connect();
    source = client.db(mongo.dbName);
    pg = await createTestDatabase();
    await seedDatabase(source, { docs: 300, seed: 31, quirkRate: 0 });
    await copyCollections(pool(), source);
  });
  afterAll(async () => {
    await pg?.drop();
    await client?.close();
    await mongo?.stop();
  });

  for (const seed of [1, 2, 3]) {
    it(`random interleavings end with MongoDB = unmap(rows) (seed ${seed})`, async () => {
      const random = rng(seed);
      const { rows } = await pool().query<{ id: string }>(
        `SELECT legacy_object_id AS id FROM addresses WHERE source_deleted_at IS NULL AND rejected_at IS NULL
          ORDER BY legacy_object_id LIMIT 2 OFFSET $1`,
        [seed * 2],
      );
      const targets = rows.map((r) => new ObjectId(r.id));
      const addresses = source.collection<Document>('addresses');
      // The mirror's MongoDB with network latency before each write: it widens the window between the
      // mirror's read of the rows and its write, which only the lock closes (without it, this test fails).
      const laggy = withWriteLatency(source, () => random() * 8);
      const rounds = 12;
      for (let round = 0; round < rounds; round++) {
        // Per round and document: a pg-mode write and a dual-mode write in flight at once, then their
        // follow-ups (the mirror, the forward sync) started at random offsets, overlapping.
        await Promise.all(
          targets.map(async (id) => {
            const label = `s${seed}r${round}`;
            await Promise.all([
              pool().query(`UPDATE addresses SET city = $2, label = $3 WHERE legacy_object_id = $1`, [
                id.toHexString(),
                `pg ${label}`,
                `pg ${round}`,
              ]),
              addresses.updateOne({ _id: id }, { $set: { city: `mongo ${label}`, label: `mongo ${round}` } }),
            ]);
            const mirrorAt = random() * 6;
            const syncAt = random() * 6;
            await Promise.all([
              sleep(mirrorAt).then(() => mirrorDocuments(pool(), laggy, 'addresses', [id])),
              sleep(syncAt).then(() => syncDocuments(pool(), source, 'addresses', [id])),
            ]);
            const { mongo: got, rows: want } = await documentAndRows(pool(), source, 'addresses', id);
            expect(got, `${id.toHexString()} round ${round}`).toBe(want);
            // city and label moved together: no document mixes two writers.
            const doc = await addresses.findOne({ _id: id });
            expect(String(doc?.label).split(' ')[0]).toBe(String(doc?.city).split(' ')[0]);
          }),
        );
      }
      await expectStoresAgree(source, pg.url, { collections: ['addresses'] });
    });
  }

  it('a mirror waits for a document lock held by a forward sync, then reads the rows it left', async () => {
    const { rows } = await pool().query<{ id: string }>(
      `SELECT legacy_object_id AS id FROM addresses WHERE source_deleted_at IS NULL AND rejected_at IS NULL
        ORDER BY legacy_object_id DESC LIMIT 1`,
    );
    const id = new ObjectId(rows[0]!.id);
    const addresses = source.collection<Document>('addresses');
    // A sync's transaction, held open: the lock taken, the row written, not yet committed.
    const holder = await pool().connect();
    try {
      await holder.query('BEGIN');
      await lockDocuments(holder, 'addresses', [id]);
      await holder.query(`UPDATE addresses SET city = 'held' WHERE legacy_object_id = $1`, [
        id.toHexString(),
      ]);
      let settled = false;
      const mirror = mirrorDocuments(pool(), source, 'addresses', [id]).finally(() => (settled = true));
      await sleep(300);
      expect(settled).toBe(false);
      expect((await addresses.findOne({ _id: id }))?.city).not.toBe('held');
      await holder.query('COMMIT');
      expect(await mirror).toMatchObject({ replaced: 1 });
    } finally {
      holder.release();
    }
    expect((await addresses.findOne({ _id: id }))?.city).toBe('held');
    const after = await documentAndRows(pool(), source, 'addresses', id);
    expect(after.mongo).toBe(after.rows);
  });
});
