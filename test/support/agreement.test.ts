import { ObjectId } from 'bson';
import { MongoClient, type Db as MongoDb, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import {
  copyCollections,
  describeDisagreements,
  expectStoresAgree,
  moneySums,
  mongoMoneySums,
  storeDisagreements,
  type Disagreement,
} from './agreement.js';
import { startTestMongo, type TestMongo } from './mongo.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/**
 * The oracle must be able to FAIL: a database backfilled from MongoDB agrees with it, and each kind of
 * drift (a MongoDB write never synced, a lost child row, a document Postgres never saw, a Postgres-only
 * change of money) is reported by kind, table, legacy id and column. Each drift is undone afterwards, so
 * every check sees exactly one.
 */
describe('agreement oracle: Postgres agrees with MongoDB, independent of how it got there', () => {
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let ours: TestDatabase;
  const sql = <R extends Document>(text: string, values?: unknown[]) =>
    ours.db.$client.query<R>(text, values).then((r) => r.rows);

  beforeAll(async () => {
    mongo = await startTestMongo();
    client = new MongoClient(mongo.url);
    await client.connect();
    source = client.db(mongo.dbName);
    ours = await createTestDatabase();
    await seedDatabase(source, { docs: 300, seed: 1, quirkRate: 0.05 });
    await copyCollections(ours.db.$client, source);
  });
  afterAll(async () => {
    await ours?.drop();
    await client?.close();
    await mongo?.stop();
  });

  it('a database backfilled from MongoDB agrees with it, money sums included', async () => {
    const started = performance.now();
    const found = await storeDisagreements(source, ours.url);
    expect(found, describeDisagreements(found)).toEqual([]);
    expect(await moneySums(ours.url)).toEqual(await mongoMoneySums(source, ours.url));
    // The seed's quirks leave some rejects behind: the agreement above covered them too.
    const [{ open } = { open: 0 }] = await sql<{ open: number }>(
      `SELECT count(*)::int AS open FROM migration_rejects WHERE resolved_at IS NULL`,
    );
    expect(open).toBeGreaterThan(0);
    console.info(`agreement oracle on 300 documents: ${Math.round(performance.now() - started)} ms`);
  });

  it('a MongoDB write that was never synced is a `changed` row naming the column', async () => {
    const [{ id } = { id: '' }] = await sql<{ id: string }>(
      `SELECT legacy_object_id AS id FROM users
        WHERE profile_display_name IS NOT NULL AND source_deleted_at IS NULL AND rejected_at IS NULL
        ORDER BY legacy_object_id LIMIT 1`,
    );
    const users = source.collection('users');
    const before = await users.findOne({ _id: new ObjectId(id) });
    await users.updateOne(
      { _id: new ObjectId(id) },
      { $set: { 'profile.displayName': 'changed in Mongo only' } },
    );
    try {
      const found = await storeDisagreements(source, ours.url, { collections: ['users'] });
      expect(found).toEqual([
        expect.objectContaining({
          table: 'users',
          legacyId: id,
          kind: 'changed',
          columns: ['profile_display_name'],
          ours: { profile_display_name: before!.profile.displayName },
          reference: { profile_display_name: 'changed in Mongo only' },
        }),
      ]);
    } finally {
      await users.replaceOne({ _id: new ObjectId(id) }, before!);
    }
  });

  it('a child row lost in Postgres is a `child_rows` disagreement of its owner', async () => {
    const [lost] = await sql<Document>(
      `DELETE FROM pr_preferred_sellers WHERE ctid = (SELECT ctid FROM pr_preferred_sellers LIMIT 1) RETURNING *`,
    );
    try {
      const [{ owner, seller } = { owner: '', seller: '' }] = await sql<{ owner: string; seller: string }>(
        `SELECT p.legacy_object_id AS owner, u.legacy_object_id AS seller
           FROM purchase_requests p, users u WHERE p.id = $1 AND u.id = $2`,
        [lost!.purchase_request_id, lost!.user_id],
      );
      const found = await storeDisagreements(source, ours.url, { collections: ['purchaserequests'] });
      expect(found).toEqual([
        expect.objectContaining({
          table: 'pr_preferred_sellers',
          legacyId: owner,
          kind: 'child_rows',
          columns: ['user_id', 'ordinal'],
          ours: [],
          reference: [[seller, String(lost!.ordinal)]],
        }),
      ]);
    } finally {
      await sql(
        `INSERT INTO pr_preferred_sellers (purchase_request_id, user_id, ordinal) VALUES ($1, $2, $3)`,
        [lost!.purchase_request_id, lost!.user_id, lost!.ordinal],
      );
    }
  });

  it('a document only MongoDB has is `missing`', async () => {
    const users = source.collection('users');
    const template = await users.findOne({ email: { $type: 'string' }, referralCode: { $type: 'string' } });
    const id = new ObjectId();
    await users.insertOne({
      ...template!,
      _id: id,
      email: `only-in-mongo-${id.toHexString()}@example.com`,
      referralCode: `only-${id.toHexString()}`,
    });
    try {
      const found = await storeDisagreements(source, ours.url, { collections: ['users'] });
      expect(found).toEqual([
        expect.objectContaining({ table: 'users', legacyId: id.toHexString(), kind: 'missing' }),
      ]);
    } finally {
      await users.deleteOne({ _id: id });
    }
  });

  it('money changed in Postgres only: a `changed` amount, and the exact sums differ', async () => {
    const [payment] = await sql<{ id: string; amount: string; key: string }>(
      `UPDATE payments SET amount = amount + 0.000000000000000001
        WHERE id = (SELECT id FROM payments WHERE source_deleted_at IS NULL AND rejected_at IS NULL
                     ORDER BY legacy_object_id LIMIT 1)
        RETURNING legacy_object_id AS id, amount::text AS amount,
                  concat_ws(' ', status, provider, direction, currency) AS key`,
    );
    try {
      const found = await storeDisagreements(source, ours.url, { collections: ['payments'] });
      const changed = found.filter((d: Disagreement) => d.kind === 'changed');
      expect(changed).toEqual([
        expect.objectContaining({ table: 'payments', legacyId: payment!.id, columns: ['amount'] }),
      ]);
      expect(found.filter((d) => d.kind === 'money')).toEqual([
        expect.objectContaining({ table: 'money:payments', legacyId: payment!.key }),
      ]);
      expect(found).toHaveLength(2);
      const fromPostgres = await moneySums(ours.url);
      const fromMongo = await mongoMoneySums(source, ours.url);
      expect(fromPostgres.payments[payment!.key]).not.toBe(fromMongo.payments[payment!.key]);
      expect(fromPostgres.fundsLedgerEntries).toEqual(fromMongo.fundsLedgerEntries);
    } finally {
      await sql(`UPDATE payments SET amount = amount - 0.000000000000000001 WHERE legacy_object_id = $1`, [
        payment!.id,
      ]);
    }
  });

  it('writes that reached Postgres by another path (syncDocuments) agree: only the end state counts', async () => {
    const payments = source.collection('payments');
    const payment = await payments.findOne({ 'amount.value': { $type: 'decimal' } }, { sort: { _id: 1 } });
    const users = source.collection('users');
    const user = await users.findOne({ 'profile.displayName': { $type: 'string' } }, { sort: { _id: -1 } });
    await payments.updateOne(
      { _id: payment!._id },
      { $set: { status: 'completed', 'amount.value': '1234.5' } },
    );
    await users.updateOne({ _id: user!._id }, { $set: { 'profile.displayName': 'synced' } });
    await syncDocuments(ours.db.$client, source, 'payments', [payment!._id]);
    await syncDocuments(ours.db.$client, source, 'users', [user!._id]);
    await expectStoresAgree(source, ours.url, { collections: ['users', 'payments'] });
    expect(await moneySums(ours.url)).toEqual(await mongoMoneySums(source, ours.url));
    await payments.replaceOne({ _id: payment!._id }, payment!);
    await users.replaceOne({ _id: user!._id }, user!);
    await syncDocuments(ours.db.$client, source, 'payments', [payment!._id]);
    await syncDocuments(ours.db.$client, source, 'users', [user!._id]);
  });

  it('every drift undone: the stores agree again', async () => {
    await expectStoresAgree(source, ours.url);
  });
});
