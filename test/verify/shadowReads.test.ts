import { ObjectId } from 'bson';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import pg from 'pg';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/client.js';
import { changeMode } from '../../src/modes/changeMode.js';
import { createRepositories, type Repositories } from '../../src/repositories/create.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { SHADOW_READS_METRIC, shadowReadSummary, type ShadowOutcome } from '../../src/verify/shadow/index.js';
import { copyCollections } from '../support/agreement.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';

/** The Postgres URL of `database`, through the proxy's port (so the test can cut Postgres off). */
const throughProxy = (url: string, port: number) => {
  const parsed = new URL(url);
  parsed.host = `127.0.0.1:${port}`;
  return parsed.toString();
};

const RECHECK_MS = 1_500;

/** The shadow-read counter of prom-client's global registry, for one collection and outcome. */
async function metric(collection: string, outcome: ShadowOutcome): Promise<number> {
  const counter = register.getSingleMetric(SHADOW_READS_METRIC);
  if (!counter) return 0;
  const { values } = await counter.get();
  return values
    .filter((v) => v.labels.collection === collection && v.labels.outcome === outcome)
    .reduce((sum, v) => sum + v.value, 0);
}

describe('shadow reads: dual-mode reads repeated on Postgres off the caller’s path, compared', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let source: MongoDb;
  let proxy: TcpProxy;
  let direct: pg.Pool;
  let repos: Repositories;
  const prefix = uniquePrefix('shadow');

  const flip = async (collection: string, to: 'mongo' | 'dual') => {
    // Forced: the copy below is the backfill's chunk path, not a recorded run the gates would see.
    await changeMode(database.db, { collection, to, actor: 'test', reason: 'shadow-read test', force: true });
    repos.modes.invalidate();
  };
  const addressIds = async (n: number) =>
    (await source.collection('addresses').find({}).limit(n).toArray()).map((d) => d._id.toHexString());
  const mismatchRows = async (collection: string, legacyId: string) =>
    (
      await direct.query<{ status: string; fields: string[]; read: string; args: unknown }>(
        `SELECT status, fields, read, args FROM shadow_read_mismatches
          WHERE collection = $1 AND legacy_object_id = $2 ORDER BY id`,
        [collection, legacyId],
      )
    ).rows;
  /** Waits for the recheck of a mismatch to leave `settling`. */
  const settled = async (collection: string, legacyId: string) => {
    const deadline = Date.now() + RECHECK_MS + 10_000;
    for (;;) {
      const rows = await mismatchRows(collection, legacyId);
      if (rows.length > 0 && rows.every((r) => r.status !== 'settling')) return rows;
      if (Date.now() > deadline) throw new Error(`still settling: ${JSON.stringify(rows)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    direct = createPool({ url: database.url, max: 3 });
    // The backfill: MongoDB seeded, then copied through the backfill's own chunk path.
    await seedDatabase(source, { docs: 400, quirkRate: 0 });
    await copyCollections(direct, source);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
    const pool = new pg.Pool({
      connectionString: throughProxy(database.url, proxy.port),
      max: 6,
      connectionTimeoutMillis: 1_000,
    });
    pool.on('error', () => undefined);
    repos = createRepositories({
      mongoose: connection,
      pg: pool,
      redisUrl: TEST_REDIS_URL,
      queuePrefix: prefix,
      shadowReadShare: 1,
      shadowRecheckMs: RECHECK_MS,
    });
    for (const collection of ['users', 'addresses', 'payments', 'fundsledgerentries'])
      await flip(collection, 'dual');
  });
  afterAll(async () => {
    await (repos as Repositories | undefined)?.close();
    await proxy?.close();
    await direct?.end();
    await connection?.close();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
    await deletePrefix(prefix);
  });

  it('after a backfill, the dual-mode reads of both stores agree: counted as compared, no mismatch', async () => {
    const users = await source.collection('users').find({}).limit(20).toArray();
    for (const user of users) {
      const id = user._id.toHexString();
      expect((await repos.users.findById(id))?.id).toBe(id);
      await repos.addresses.listByUser(id);
      await repos.payments.listByBuyer(id);
      await repos.ledger.listByUser(id);
      await repos.ledger.balance(id, 'USDT');
      // Five shadow reads in flight at most: below the limit (8), so none is skipped here.
      await repos.shadowReads.idle();
    }
    await repos.users.list({ limit: 100 });
    for (const id of await addressIds(20)) await repos.addresses.findById(id);
    await repos.shadowReads.idle();
    await repos.shadowReads.flush();

    const { rows } = await direct.query<{
      collection: string;
      read: string;
      compared: number;
      m: number;
      f: number;
    }>(
      `SELECT collection, read, sum(compared)::int AS compared, sum(mismatched)::int AS m, sum(failed)::int AS f
         FROM shadow_read_counts GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const mismatches = await direct.query(
      `SELECT collection, read, fields, detail FROM shadow_read_mismatches`,
    );
    expect(mismatches.rows).toEqual([]);
    expect(rows.map((r) => `${r.collection}.${r.read}`)).toEqual(
      expect.arrayContaining([
        'users.findById',
        'users.list',
        'addresses.findById',
        'addresses.listByUser',
        'payments.listByBuyer',
        'fundsledgerentries.listByUser',
        'fundsledgerentries.balance',
      ]),
    );
    for (const row of rows) expect(row, `${row.collection}.${row.read}`).toMatchObject({ m: 0, f: 0 });
    expect(rows.find((r) => r.collection === 'users' && r.read === 'findById')?.compared).toBe(20);
    expect(await metric('users', 'match')).toBeGreaterThanOrEqual(21);
    expect(await shadowReadSummary(database.db, 'users', 60_000)).toEqual({
      compared: 21,
      mismatched: 0,
      failed: 0,
      confirmed: 0,
    });
  });

  it('beyond the in-flight limit, shadow reads are skipped and counted, and callers still all get answers', async () => {
    const users = await source.collection('users').find({}).toArray();
    expect(users.length).toBeGreaterThan(8 * 2);
    const before = { match: await metric('users', 'match'), skipped: await metric('users', 'skipped') };
    const answers = await Promise.all(users.map((u) => repos.users.findById(u._id.toHexString())));
    expect(answers.map((a) => a?.id)).toEqual(users.map((u) => u._id.toHexString()));
    await repos.shadowReads.idle();
    const skipped = (await metric('users', 'skipped')) - before.skipped;
    const matched = (await metric('users', 'match')) - before.match;
    expect(skipped).toBeGreaterThan(0);
    expect(matched + skipped).toBe(users.length);
  });

  it('a Postgres row changed behind the seam: stored as a mismatch naming the field, confirmed after the recheck', async () => {
    const [id] = await addressIds(1);
    if (!id) throw new Error('no address');
    await direct.query(
      `UPDATE addresses SET city = 'Damaged-' || legacy_object_id WHERE legacy_object_id = $1`,
      [id],
    );
    const answer = await repos.addresses.findById(id);
    expect(answer?.city).not.toMatch(/^Damaged/); // The caller has MongoDB's answer.
    await repos.shadowReads.idle();
    const [first] = await mismatchRows('addresses', id);
    expect(first).toMatchObject({ status: 'settling', fields: ['city'], read: 'findById', args: [id] });

    const rows = await settled('addresses', id);
    expect(rows).toEqual([expect.objectContaining({ status: 'confirmed', fields: ['city'] })]);
    await repos.shadowReads.flush();
    const summary = await shadowReadSummary(direct, 'addresses', 60_000);
    expect(summary.mismatched).toBeGreaterThanOrEqual(1);
    expect(summary.confirmed).toBe(1);
    expect(await metric('addresses', 'mismatch')).toBeGreaterThanOrEqual(1);
  });

  it('a difference the backfill recorded as a loss (a dangling reference stored as NULL) is not a mismatch; the rest of the document still counts', async () => {
    const request = await source.collection('purchaserequests').findOne({ title: { $type: 'string' } });
    const id = request!._id as ObjectId;
    const legacyId = id.toHexString();
    // A category that never existed: Postgres stores NULL and records a dangling_reference anomaly.
    await source
      .collection('purchaserequests')
      .updateOne({ _id: id }, { $set: { categoryId: new ObjectId() } });
    await syncDocuments(direct, source, 'purchaserequests', [id]);
    const { rows: anomalies } = await direct.query(
      `SELECT code, field FROM migration_anomalies WHERE collection = 'purchaserequests' AND legacy_object_id = $1`,
      [legacyId],
    );
    expect(anomalies).toEqual([{ code: 'dangling_reference', field: 'categoryId' }]);
    await flip('purchaserequests', 'dual');
    await repos.purchaseRequests.findById(legacyId);
    await repos.shadowReads.idle();
    expect(await mismatchRows('purchaserequests', legacyId)).toEqual([]);

    // Anything else about that document is still compared.
    await direct.query(`UPDATE purchase_requests SET title = 'damaged' WHERE legacy_object_id = $1`, [
      legacyId,
    ]);
    await repos.purchaseRequests.findById(legacyId);
    await repos.shadowReads.idle();
    expect((await mismatchRows('purchaserequests', legacyId)).map((r) => r.fields)).toEqual([['title']]);
  });

  it('a difference that heals before its recheck (the sync’s lag) is cleared', async () => {
    const [, id] = await addressIds(2);
    if (!id) throw new Error('no address');
    const { rows: before } = await direct.query<{ label: string | null }>(
      `SELECT label FROM addresses WHERE legacy_object_id = $1`,
      [id],
    );
    await direct.query(`UPDATE addresses SET label = 'lagging' WHERE legacy_object_id = $1`, [id]);
    await repos.addresses.findById(id);
    await repos.shadowReads.idle();
    expect((await mismatchRows('addresses', id)).map((r) => [r.status, r.fields])).toEqual([
      ['settling', ['label']],
    ]);
    await direct.query(`UPDATE addresses SET label = $2 WHERE legacy_object_id = $1`, [id, before[0]?.label]);
    expect((await settled('addresses', id)).map((r) => r.status)).toEqual(['cleared']);
  });

  it('Postgres out of reach: the caller gets MongoDB’s answer, the shadow read is counted failed', async () => {
    const user = await source.collection('users').findOne({}, { skip: 30 });
    const id = user!._id.toHexString();
    await repos.users.findById(id); // The modes are read while Postgres is there.
    await repos.shadowReads.idle();
    const failedBefore = await metric('users', 'failed');
    await proxy.cut();
    try {
      const answer = await repos.users.findById(id);
      expect(answer?.id).toBe(id);
      expect(answer?.email).toBe(user!.email);
      await repos.shadowReads.idle();
      expect(await metric('users', 'failed')).toBe(failedBefore + 1);
      await repos.shadowReads.flush(); // Fails through the cut proxy: the counts wait for the next flush.
    } finally {
      await proxy.restore();
    }
    await repos.shadowReads.flush();
    expect((await shadowReadSummary(direct, 'users', 60_000)).failed).toBe(1);
  });

  it('no shadow read in mongo mode, and never of a write', async () => {
    const category = await source.collection('categories').findOne({});
    await repos.categories.findById(category!._id.toHexString());
    const [id] = await addressIds(3);
    await repos.addresses.update(id!, { label: 'written in dual mode' });
    await repos.shadowReads.idle();
    await repos.shadowReads.flush();
    const { rows } = await direct.query(
      `SELECT collection, read FROM shadow_read_counts WHERE collection = 'categories' OR read = 'update'`,
    );
    expect(rows).toEqual([]);
    for (const outcome of ['match', 'mismatch', 'failed', 'skipped'] as const)
      expect(await metric('categories', outcome)).toBe(0);
  });
});
