import { ObjectId } from 'bson';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainGaps } from '../../src/gaps/drain.js';
import { countFallbackRecords } from '../../src/gaps/fallbackStore.js';
import { changeMode } from '../../src/modes/changeMode.js';
import { createRepositories, type Repositories } from '../../src/repositories/create.js';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { createPool } from '../../src/db/client.js';
import { gapGates } from '../../src/modes/gates/index.js';

/** The Postgres URL of `database`, through the proxy's port (so the test can cut Postgres off). */
const throughProxy = (url: string, port: number) => {
  const parsed = new URL(url);
  parsed.host = `127.0.0.1:${port}`;
  return parsed.toString();
};

describe('the dual-write seam: MongoDB answers, Postgres follows, failures become gaps', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let source: MongoDb;
  let proxy: TcpProxy;
  let direct: pg.Pool;
  let repos: Repositories;
  const prefix = uniquePrefix('seam');
  const userId = new ObjectId();

  const addressRow = async (id: string) => {
    const { rows } = await direct.query<{ label: string | null; city: string | null; primary: boolean }>(
      `SELECT label, city, "primary" FROM addresses WHERE legacy_object_id = $1 AND source_deleted_at IS NULL`,
      [id],
    );
    return rows[0] ?? null;
  };
  const mongoAddress = (id: string) => source.collection('addresses').findOne({ _id: new ObjectId(id) });
  const flip = async (collection: string, to: 'mongo' | 'dual') => {
    await changeMode(
      database.db,
      { collection, to, actor: 'test', reason: 'seam test' },
      { gates: gapGates(database.db) },
    );
    repos.modes.invalidate();
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    direct = createPool({ url: database.url, max: 2 });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
    const pool = new pg.Pool({
      connectionString: throughProxy(database.url, proxy.port),
      max: 4,
      connectionTimeoutMillis: 1_000,
    });
    pool.on('error', () => undefined);
    repos = createRepositories({
      mongoose: connection,
      pg: pool,
      redisUrl: TEST_REDIS_URL,
      queuePrefix: prefix,
      syncTimeoutMs: 1_500,
      gapTimeoutMs: 500,
    });
    // The addresses' owner, in both stores already (as a backfill would have left it).
    await source
      .collection('users')
      .insertOne({ _id: userId, email: 'seam@example.com', createdAt: new Date(), updatedAt: new Date() });
    await syncDocuments(direct, source, 'users', [userId]);
  });
  afterAll(async () => {
    await repos?.close();
    await proxy?.close();
    await direct?.end();
    await connection?.close();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
    await deletePrefix(prefix);
  });

  it('in mongo mode writes MongoDB only; in dual mode every write, side effects included, reaches Postgres', async () => {
    const before = await repos.addresses.create({
      userId: userId.toHexString(),
      label: 'before',
      primary: true,
    });
    expect(await addressRow(before.id)).toBeNull();

    await flip('addresses', 'dual');
    const home = await repos.addresses.create({
      userId: userId.toHexString(),
      label: 'home',
      city: 'Lisbon',
    });
    expect(await addressRow(home.id)).toEqual({ label: 'home', city: 'Lisbon', primary: false });

    // setPrimary demotes 'before' in MongoDB: Postgres must see both documents move, in one sync.
    await repos.addresses.setPrimary(home.id);
    expect(await addressRow(home.id)).toMatchObject({ primary: true });
    expect((await mongoAddress(before.id))?.primary).toBe(false);
    expect(await addressRow(before.id)).toMatchObject({ primary: false, label: 'before' });

    await repos.addresses.update(home.id, { city: 'Porto' });
    expect(await addressRow(home.id)).toMatchObject({ city: 'Porto' });
    await repos.addresses.delete(before.id);
    expect(await addressRow(before.id)).toBeNull();
  });

  it('Postgres refusing connections: the caller gets MongoDB’s answer, the write becomes a fallback gap, a drain brings it over', async () => {
    await flip('addresses', 'dual');
    await proxy.cut();
    try {
      const work = await repos.addresses.create({
        userId: userId.toHexString(),
        label: 'work',
        city: 'Faro',
      });
      expect(await mongoAddress(work.id)).toMatchObject({ label: 'work' });
      await repos.addresses.update(work.id, { city: 'Braga' });
      expect(await countFallbackRecords(source, 'addresses')).toBeGreaterThanOrEqual(1);
      expect(await addressRow(work.id)).toBeNull();

      await proxy.restore();
      const drained = await drainGaps({ pool: direct, mongo: source });
      expect(drained.moved).toBeGreaterThanOrEqual(1);
      expect(await countFallbackRecords(source, 'addresses')).toBe(0);
      expect(await addressRow(work.id)).toEqual({ label: 'work', city: 'Braga', primary: false });
    } finally {
      await proxy.restore();
    }
  });

  it('Postgres hanging (packets dropped): each write still returns, bounded by the sync and gap timeouts', async () => {
    await flip('addresses', 'dual');
    await proxy.blackhole();
    let id: string;
    try {
      const started = Date.now();
      const shed = await repos.addresses.create({ userId: userId.toHexString(), label: 'shed' });
      id = shed.id;
      // Not a speed assertion: a hang would run into the test timeout; this names the bound that holds.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await mongoAddress(id)).toMatchObject({ label: 'shed' });
    } finally {
      await proxy.restore();
    }
    await drainGaps({ pool: direct, mongo: source });
    expect(await addressRow(id)).toEqual({ label: 'shed', city: null, primary: false });
  });

  it('many writers on one document in dual mode: the row ends as MongoDB’s last write', async () => {
    await flip('addresses', 'dual');
    const target = await repos.addresses.create({ userId: userId.toHexString(), label: 'race' });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        repos.addresses.update(target.id, { city: `city-${i}`, label: `race-${i}` }),
      ),
    );
    const final = await mongoAddress(target.id);
    expect(await addressRow(target.id)).toEqual({ label: final?.label, city: final?.city, primary: false });
  });
});
