import { Decimal128, MongoClient, ObjectId, type Db as MongoDb, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorDocuments } from '../../src/mirror/mirrorDocuments.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { copyCollections, expectStoresAgree } from '../support/agreement.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { documentAndRows } from './support.js';

/**
 * The MongoDB mirror of pg mode (src/mirror/mirrorDocuments.ts): rows changed in Postgres with plain
 * SQL (as a pg-mode repository's transaction would) are written back into MongoDB through the reverse
 * mapping; afterwards the stores agree by the forward oracle (a from-scratch copy of MongoDB equals
 * Postgres).
 */
describe('mirrorDocuments: MongoDB as Postgres holds the documents now', () => {
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let pg: TestDatabase;
  const pool = () => pg.db.$client;
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => {
    const { rows } = await pool().query(sql, params);
    expect(rows.length, sql).toBeGreaterThan(0);
    return rows[0] as T;
  };

  beforeAll(async () => {
    mongo = await startTestMongo();
    client = new MongoClient(mongo.url);
    await client.connect();
    source = client.db(mongo.dbName);
    pg = await createTestDatabase();
    await seedDatabase(source, { docs: 400, seed: 11 });
    await copyCollections(pool(), source);
  });
  afterAll(async () => {
    await pg?.drop();
    await client?.close();
    await mongo?.stop();
  });

  it('writes changed rows, deletes removed and tombstoned ones, leaves rejected ones, keeps __v', async () => {
    const addresses = source.collection<Document>('addresses');
    const payments = source.collection<Document>('payments');
    const reviews = source.collection<Document>('reviews');
    const live = `source_deleted_at IS NULL AND rejected_at IS NULL`;

    // An address's city (and __v, a field no row holds, set in MongoDB beforehand).
    const { id: changedHex } = await one<{ id: string }>(
      `SELECT legacy_object_id AS id FROM addresses WHERE ${live} ORDER BY legacy_object_id LIMIT 1`,
    );
    const changed = new ObjectId(changedHex);
    await addresses.updateOne({ _id: changed }, { $set: { __v: 7 } });
    // As a pg-mode writer would: updatedAt at MongoDB's millisecond precision, and the row's version
    // (source_updated_at, `updatedAt ?? createdAt ?? ObjectId time`) following it.
    await pool().query(
      `UPDATE addresses SET city = 'Mirrorville', updated_at = date_trunc('milliseconds', now()),
              source_updated_at = date_trunc('milliseconds', now())
        WHERE legacy_object_id = $1`,
      [changedHex],
    );

    // An address deleted outright (one no purchase request delivers to).
    const { id: deletedHex } = await one<{ id: string }>(
      `SELECT a.legacy_object_id AS id FROM addresses a
        WHERE ${live} AND a.legacy_object_id <> $1
          AND NOT EXISTS (SELECT 1 FROM pr_delivery_info d WHERE d.address_id = a.id)
        ORDER BY a.legacy_object_id DESC LIMIT 1`,
      [changedHex],
    );
    const deleted = new ObjectId(deletedHex);
    await pool().query(`DELETE FROM addresses WHERE legacy_object_id = $1`, [deletedHex]);

    // A payment's amount: 28 significant digits, exact in Decimal128 and numeric(38,18).
    const { id: paidHex } = await one<{ id: string }>(
      `SELECT legacy_object_id AS id FROM payments WHERE ${live} ORDER BY legacy_object_id LIMIT 1`,
    );
    const paid = new ObjectId(paidHex);
    const amount = '1234567890.123456789012345678';
    await pool().query(`UPDATE payments SET amount = $2::numeric WHERE legacy_object_id = $1`, [
      paidHex,
      amount,
    ]);

    // Two reviews: one tombstoned as deleted (its document goes), one as rejected (its document stays).
    const reviewRows = (
      await pool().query<{ id: string }>(
        `SELECT legacy_object_id AS id FROM reviews WHERE ${live} ORDER BY legacy_object_id LIMIT 2`,
      )
    ).rows;
    expect(reviewRows).toHaveLength(2);
    const [tombstoned, rejected] = reviewRows.map((r) => new ObjectId(r.id)) as [ObjectId, ObjectId];
    await pool().query(`UPDATE reviews SET source_deleted_at = now() WHERE legacy_object_id = $1`, [
      tombstoned.toHexString(),
    ]);
    await pool().query(`UPDATE reviews SET rejected_at = now() WHERE legacy_object_id = $1`, [
      rejected.toHexString(),
    ]);
    const rejectedBefore = await reviews.findOne({ _id: rejected });

    // A live row whose document MongoDB lost: the mirror inserts it.
    const { id: lostHex } = await one<{ id: string }>(
      `SELECT legacy_object_id AS id FROM addresses WHERE ${live} AND legacy_object_id NOT IN ($1, $2)
        ORDER BY legacy_object_id LIMIT 1 OFFSET 3`,
      [changedHex, deletedHex],
    );
    const lost = new ObjectId(lostHex);
    await addresses.deleteOne({ _id: lost });

    expect(await mirrorDocuments(pool(), source, 'addresses', [changed, deleted, lost, changed])).toEqual({
      documents: 3,
      replaced: 2,
      inserted: 1,
      deleted: 1,
      skipped: 0,
    });
    expect(await mirrorDocuments(pool(), source, 'payments', [paid])).toMatchObject({ replaced: 1 });
    expect(await mirrorDocuments(pool(), source, 'reviews', [tombstoned, rejected])).toMatchObject({
      deleted: 1,
      skipped: 1,
    });

    const address = await addresses.findOne({ _id: changed });
    expect(address?.city).toBe('Mirrorville');
    expect(address?.__v).toBe(7);
    expect(await addresses.findOne({ _id: deleted })).toBeNull();
    expect(await addresses.findOne({ _id: lost })).not.toBeNull();
    const payment = await payments.findOne({ _id: paid });
    expect(payment?.amount?.value).toBeInstanceOf(Decimal128);
    expect((payment?.amount?.value as Decimal128).toString()).toBe(amount);
    expect(await reviews.findOne({ _id: tombstoned })).toBeNull();
    expect(await reviews.findOne({ _id: rejected })).toEqual(rejectedBefore);
    for (const [collection, id] of [
      ['addresses', changed],
      ['addresses', lost],
      ['payments', paid],
    ] as const) {
      const { mongo: got, rows } = await documentAndRows(pool(), source, collection, id);
      expect(got, `${collection} ${id.toHexString()}`).toBe(rows);
    }

    // The rejected tombstone is the one thing the stores legitimately disagree on here (the oracle
    // wants an open reject for it): put it back live, then the stores must agree everywhere.
    await pool().query(`UPDATE reviews SET rejected_at = NULL WHERE legacy_object_id = $1`, [
      rejected.toHexString(),
    ]);
    await expectStoresAgree(source, pg.url);
  });

  it('keeps the BSON type of a string `_id` (configsettings before 2024)', async () => {
    const settings = source.collection<Document>('configsettings');
    const row = await one<{ id: string }>(
      `SELECT legacy_object_id AS id FROM config_settings
        WHERE source_deleted_at IS NULL AND rejected_at IS NULL AND legacy_object_id !~ '^[0-9a-f]{24}$' LIMIT 1`,
    );
    await pool().query(`UPDATE config_settings SET description = 'mirrored' WHERE legacy_object_id = $1`, [
      row.id,
    ]);
    expect(await mirrorDocuments(pool(), source, 'configsettings', [row.id])).toMatchObject({ replaced: 1 });
    const docs = await settings.find({ description: 'mirrored' }).toArray();
    expect(docs.map((d) => d._id)).toEqual([row.id]);
    const { mongo: got, rows } = await documentAndRows(pool(), source, 'configsettings', row.id);
    expect(got).toBe(rows);
    await expectStoresAgree(source, pg.url, { collections: ['configsettings'] });
  });
});
