import { ObjectId } from 'bson';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { drainReverseGaps } from '../../src/mirror/drainReverse.js';
import { changeMode } from '../../src/modes/changeMode.js';
import { createRepositories, type Repositories } from '../../src/repositories/create.js';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { expectStoresAgree } from '../support/agreement.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { gapGates } from '../../src/modes/gates/index.js';

const SETTLE_MS = 1_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * pg mode through createRepositories: calls of a collection in `pg` go to the Drizzle repository and
 * commit in Postgres first, MongoDB is mirrored after the commit, a MongoDB outage becomes reverse gaps
 * and never a caller error, and a mode change of the authoritative store takes effect for writes only
 * after the settle window. The application's Mongoose connection goes through a TCP proxy, so MongoDB
 * can be cut off without stopping the embedded server.
 */
describe('pg mode: Postgres authoritative, MongoDB mirrored after each commit', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let proxy: TcpProxy;
  let connection: Connection;
  let client: MongoClient;
  let source: MongoDb;
  let direct: pg.Pool;
  let repos: Repositories;
  const prefix = uniquePrefix('pgmode');

  const move = async (collection: string, to: 'mongo' | 'dual' | 'pg') => {
    await changeMode(
      database.db,
      { collection, to, actor: 'test', reason: 'pg-mode test' },
      { gates: gapGates(database.db) },
    );
    repos.modes.invalidate();
  };
  /** Moves to `pg` (through `dual` if need be) and waits out the settle window. */
  const settleIntoPg = async (collection: string) => {
    if ((await repos.modes.get(collection)) === 'mongo') await move(collection, 'dual');
    await settleInto(collection, 'pg');
  };
  /** Moves to `to` and waits out the settle window, so every call is routed by `to`. */
  const settleInto = async (collection: string, to: 'mongo' | 'dual' | 'pg') => {
    await move(collection, to);
    await sleep(SETTLE_MS + 100);
  };
  const pointsIn = async (id: string) => ({
    pg: (await direct.query<{ points: number }>(`SELECT points FROM users WHERE legacy_object_id = $1`, [id]))
      .rows[0]?.points,
    mongo: (await source.collection('users').findOne({ _id: new ObjectId(id) }))?.points as
      number | undefined,
  });
  const openReverseGaps = async () =>
    (
      await direct.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_dualwrite_gaps WHERE direction = 'reverse' AND status = 'open'`,
      )
    ).rows[0]!.n;

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(mongo.url).port) });
    const proxied = new URL(mongo.url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    // Bounded timeouts: an abandoned mirror holds its document locks until the driver gives up.
    connection = await mongoose
      .createConnection(proxied.toString(), {
        serverSelectionTimeoutMS: 1_000,
        socketTimeoutMS: 1_500,
        heartbeatFrequencyMS: 500,
      })
      .asPromise();
    direct = createPool({ url: database.url, max: 4 });
    repos = createRepositories({
      mongoose: connection,
      pg: database.url,
      redisUrl: TEST_REDIS_URL,
      queuePrefix: prefix,
      modeTtlMs: 200,
      settleMs: SETTLE_MS,
      mirrorTimeoutMs: 1_000,
      gapTimeoutMs: 500,
      log: createLogger('silent'),
    });
    await repos.modes.whenSubscribed();
  });
  afterAll(async () => {
    await repos?.close();
    await connection?.close();
    await proxy?.close();
    await direct?.end();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
    await deletePrefix(prefix);
  });

  it('writes commit in Postgres, reads come from Postgres, and MongoDB equals the rows', async () => {
    await settleInto('users', 'dual');
    const user = await repos.users.create({ email: 'pg-mode@example.com', points: 10 });
    await settleInto('users', 'pg');

    expect(await repos.users.incrementPoints(user.id, 5)).toBe(15);
    await repos.users.updateProfile(user.id, { profile: { displayName: 'in-postgres' } });
    expect(await pointsIn(user.id)).toEqual({ pg: 15, mongo: 15 });
    const mirrored = await source.collection('users').findOne({ _id: new ObjectId(user.id) });
    expect(mirrored?.profile).toMatchObject({ displayName: 'in-postgres' });
    // Reads are Postgres's: a row changed behind MongoDB's back is what the repository answers.
    const setName = (name: string) =>
      direct.query(`UPDATE users SET profile_display_name = $2 WHERE legacy_object_id = $1`, [user.id, name]);
    await setName('only-in-postgres');
    expect((await repos.users.findById(user.id))?.profile?.displayName).toBe('only-in-postgres');
    await setName('in-postgres');

    // A new document is born in Postgres (its legacy id allocated there) and mirrored.
    const created = await repos.users.create({ email: 'born-in-pg@example.com' });
    expect(await source.collection('users').countDocuments({ _id: new ObjectId(created.id) })).toBe(1);
    await expectStoresAgree(source, database.url, { collections: ['users'] });
  });

  it('routes writes by the previous mode until the settle window has passed', async () => {
    await settleInto('categories', 'dual');
    const category = await repos.categories.create({ name: 'Fenced' });
    await direct.query(`UPDATE categories SET name = 'Postgres only' WHERE legacy_object_id = $1`, [
      category.id,
    ]);

    await move('categories', 'pg');
    // Recorded at once, routed by dual for SETTLE_MS: reads still come from MongoDB.
    expect(await repos.modes.get('categories')).toBe('pg');
    expect(await repos.modes.routing('categories')).toBe('dual');
    expect((await repos.categories.findById(category.id))?.name).toBe('Fenced');
    await sleep(SETTLE_MS + 100);
    expect(await repos.modes.routing('categories')).toBe('pg');
    expect((await repos.categories.findById(category.id))?.name).toBe('Postgres only');

    // A back move is fenced the same way, then MongoDB answers again.
    await move('categories', 'dual');
    expect(await repos.modes.routing('categories')).toBe('pg');
    await sleep(SETTLE_MS + 100);
    expect((await repos.categories.findById(category.id))?.name).toBe('Fenced');
  });

  it('MongoDB unreachable: every write answers, each becomes a reverse gap, and the drain mirrors them', async () => {
    await settleIntoPg('users');
    const user = await repos.users.create({ email: 'outage@example.com', points: 0 });
    await proxy.cut();
    try {
      for (let i = 0; i < 5; i++) expect(await repos.users.incrementPoints(user.id, 1)).toBe(i + 1);
      const other = await repos.users.create({ email: 'born-during-outage@example.com' });
      expect(await openReverseGaps()).toBeGreaterThanOrEqual(2);
      expect(await source.collection('users').countDocuments({ _id: new ObjectId(other.id) })).toBe(0);
    } finally {
      await proxy.restore();
    }
    expect((await pointsIn(user.id)).pg).toBe(5);
    await drainReverseGaps({ pool: direct, mongo: source }, { baseDelayMs: 0, jitter: 0 });
    expect(await openReverseGaps()).toBe(0);
    expect(await pointsIn(user.id)).toEqual({ pg: 5, mongo: 5 });
    await expectStoresAgree(source, database.url, { collections: ['users'] });
  });

  it('a rollback while MongoDB misses commits stays Postgres-first until the reverse gaps are drained', async () => {
    await settleIntoPg('users');
    const user = await repos.users.create({ email: 'rollback@example.com', points: 0 });
    await proxy.cut();
    try {
      for (let i = 0; i < 3; i++) await repos.users.incrementPoints(user.id, 10);
    } finally {
      await proxy.restore();
    }
    expect(await openReverseGaps()).toBeGreaterThan(0);
    expect(await pointsIn(user.id)).toEqual({ pg: 30, mongo: 0 });

    // Rolled back and settled: recorded as dual, but MongoDB lacks 30 points, so calls stay pg-first.
    await settleInto('users', 'dual');
    expect(await repos.modes.routing('users')).toBe('pg');
    expect(await repos.users.incrementPoints(user.id, 1)).toBe(31);

    await drainReverseGaps({ pool: direct, mongo: source }, { baseDelayMs: 0, jitter: 0 });
    expect(await openReverseGaps()).toBe(0);
    repos.modes.invalidate();
    expect(await repos.modes.routing('users')).toBe('dual');
    // MongoDB-first again, on a MongoDB that has every commit: nothing was lost on the way back.
    expect(await repos.users.incrementPoints(user.id, 1)).toBe(32);
    expect(await pointsIn(user.id)).toEqual({ pg: 32, mongo: 32 });
  });

  it('holds the document from commit to mirror: concurrent forward syncs never undo a commit', async () => {
    await settleIntoPg('users');
    const user = await repos.users.create({ email: 'hot@example.com', points: 0 });
    let writing = true;
    // A forward sync reads MongoDB and writes Postgres: between a commit and its mirror it would read
    // the old points and write them over the commit (and the mirror would then copy that back).
    const syncs = (async () => {
      let n = 0;
      while (writing) {
        await syncDocuments(direct, source, 'users', [new ObjectId(user.id)]);
        n += 1;
      }
      return n;
    })();
    const increments = 40;
    await Promise.all(Array.from({ length: increments }, () => repos.users.incrementPoints(user.id, 1)));
    writing = false;
    expect(await syncs).toBeGreaterThan(0);
    expect(await pointsIn(user.id)).toEqual({ pg: increments, mongo: increments });
  });
});
