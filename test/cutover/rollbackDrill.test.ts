import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, ObjectId, type Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/client.js';
import { drainGaps } from '../../src/gaps/drain.js';
import { countFallbackRecords } from '../../src/gaps/fallbackStore.js';
import { drainReverseGaps } from '../../src/mirror/drainReverse.js';
import { changeAllModes } from '../../src/modes/changeAll.js';
import type { CollectionMode } from '../../src/modes/machine.js';
import { sweepBothWays } from '../../src/sweep/round.js';
import { expectStoresAgree, moneySums, mongoMoneySums } from '../support/agreement.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { startStrangler, waitFor } from '../support/stranglerProcess.js';
import { gapGates } from '../../src/modes/gates/index.js';

/** The repositories' default settle window (3 × the 2 s mode TTL + 4 s), plus a margin. */
const SETTLED_MS = 11_000;

/**
 * Plan §8's rollback drill under live `strangler traffic`: every collection from `pg` back to `dual` and
 * to `mongo`, then forward again to `pg`. Nothing the application was told is lost: the traffic keeps
 * its own account of the points it credited, and each user's balance in BOTH stores must equal it; and
 * after the drains and sweeps, Postgres equals a fresh backfill of MongoDB, row by row and to the cent.
 */
describe('rollback drill: pg → dual → mongo → dual → pg under traffic', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let direct: pg.Pool;
  const prefix = uniquePrefix('drill');
  const children: ChildProcess[] = [];

  const moveAll = async (to: CollectionMode) => {
    const report = await changeAllModes(
      database.db,
      { to, actor: 'drill', reason: `drill: ${to}` },
      { gates: gapGates(database.db) },
    );
    if (report.stopped) throw report.stopped.error;
  };
  /** Drains both gap directions until none is left (a worker would; here it is in-process). */
  const drainAll = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      await drainGaps({ pool: direct, mongo: source }, { baseDelayMs: 0, maxDelayMs: 0 });
      await drainReverseGaps({ pool: direct, mongo: source }, { baseDelayMs: 0, maxDelayMs: 0 });
      const { rows } = await direct.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_dualwrite_gaps WHERE status <> 'resolved'`,
      );
      if (rows[0]!.n === 0 && (await countFallbackRecords(source)) === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0]!.n} gaps still open after 60 s`);
      await sleep(300);
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    direct = createPool({ url: database.url, max: 3 });
    await moveAll('dual');
    await moveAll('pg');
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await direct?.end();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
    await deletePrefix(prefix);
  });

  it('loses no acknowledged write, and the stores agree row by row and to the cent', async () => {
    const env = {
      PG_URL: database.url,
      MONGO_URL: mongo.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
    };
    // The operator's worker: drains both gap directions and runs both sweeps on their schedules.
    const worker = startStrangler(['worker', '--queues', 'gaps,sweep'], {
      ...env,
      GAP_DRAIN_EVERY_MS: '1000',
      SWEEP_EVERY_MS: '3000',
    });
    children.push(worker.child);
    const traffic = startStrangler(
      ['traffic', '--duration', '60', '--rate', '0', '--concurrency', '6', '--seed', '23', '--json'],
      env,
    );
    children.push(traffic.child);
    const latest = () => traffic.progress.at(-1);
    await waitFor('traffic in pg mode', () => (latest()?.acked ?? 0) > 50 && (latest()?.seconds ?? 0) > 12);

    await moveAll('dual'); // rollback: MongoDB authoritative again once the window has settled
    await sleep(SETTLED_MS);
    await moveAll('mongo'); // Postgres no longer followed
    await sleep(4_000);
    await moveAll('dual');
    // What `mongo` mode left out of Postgres: the sweep brings it in, then the gaps are drained, so the
    // move into pg finds no forward gap (its gate).
    await sleep(3_000);
    await sweepBothWays({ pool: direct, mongo: source });
    await drainAll();
    await moveAll('pg');
    await sleep(SETTLED_MS);
    const beforeEnd = latest()!;

    await traffic.exited;
    worker.child.kill('SIGTERM');
    await worker.exited;
    const figures = JSON.parse(traffic.stdout().trim().split('\n').at(-1)!) as {
      ops: number;
      callerErrors: number;
      errors: Record<string, number>;
      credited: Record<string, number>;
      modes: Record<string, string>;
    };
    expect(figures.errors).toEqual({});
    expect(figures.callerErrors).toBe(0);
    expect(figures.ops).toBeGreaterThan(beforeEnd.ops);
    expect(new Set(Object.values(figures.modes))).toEqual(new Set(['pg']));

    await drainAll();
    const swept = await sweepBothWays({ pool: direct, mongo: source });
    expect(swept.failed).toBe(0);
    await drainAll();

    // The traffic's own account of what it was told: each user's balance, in both stores.
    const credited = Object.entries(figures.credited);
    expect(credited.length).toBeGreaterThan(10);
    const ids = credited.map(([id]) => id);
    const { rows } = await direct.query<{ id: string; points: number }>(
      `SELECT legacy_object_id AS id, points FROM users WHERE legacy_object_id = ANY($1::text[])`,
      [ids],
    );
    const inPostgres = Object.fromEntries(rows.map((r) => [r.id, r.points]));
    const inMongo = Object.fromEntries(
      (
        await source
          .collection('users')
          .find({ _id: { $in: ids.map((id) => new ObjectId(id)) } }, { projection: { points: 1 } })
          .toArray()
      ).map((doc) => [doc._id.toHexString(), doc.points as number]),
    );
    expect(inPostgres).toEqual(figures.credited);
    expect(inMongo).toEqual(figures.credited);

    await expectStoresAgree(source, database.url);
    expect(await moneySums(database.url)).toEqual(await mongoMoneySums(source, database.url));
  }, 240_000);
});
