import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainGaps } from '../../src/gaps/drain.js';
import { countFallbackRecords } from '../../src/gaps/fallbackStore.js';
import { changeAllModes } from '../../src/modes/changeAll.js';
import { sweepCollections } from '../../src/sweep/deltaSweep.js';
import { expectStoresAgree, moneySums, mongoMoneySums } from '../support/agreement.js';
import { kill9, startStrangler, waitFor } from '../support/stranglerProcess.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startPrivateRedis, type PrivateRedis } from '../support/privateRedis.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { createPool } from '../../src/db/client.js';
import { gapGates } from '../../src/modes/gates/index.js';

const openGaps = async (pool: pg.Pool) => {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_dualwrite_gaps WHERE status <> 'resolved'`,
  );
  return Number(rows[0]!.n);
};

/**
 * Issue 8's chaos drill, in dual mode under `strangler traffic`: Postgres unreachable for 30 s, then
 * Redis restarted, then a worker and the traffic process killed with SIGKILL. The application must
 * not notice the outage, and once the gaps are drained and the sweep has run, Postgres must equal a
 * fresh backfill of what MongoDB holds, row by row, and to the cent.
 */
describe('chaos in dual mode: Postgres down 30 s, Redis restarted, a worker and the app SIGKILLed', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let direct: pg.Pool;
  let proxy: TcpProxy;
  let redis: PrivateRedis;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    direct = createPool({ url: database.url, max: 3 });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
    redis = await startPrivateRedis();
    expect(
      (
        await changeAllModes(
          database.db,
          { to: 'dual', actor: 'chaos', reason: 'drill' },
          { gates: gapGates(database.db) },
        )
      ).stopped,
    ).toBeNull();
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await proxy?.close();
    await redis?.stop();
    await direct?.end();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
  });

  it('0 caller errors from the outage; after the drain 0 gaps; the stores agree row by row and to the cent', async () => {
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const env = {
      PG_URL: viaProxy.toString(),
      MONGO_URL: mongo.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'chaos',
      GAP_DRAIN_EVERY_MS: '1000',
      GAP_LEASE_MS: '5000',
      SWEEP_EVERY_MS: '3000',
    };
    const worker = startStrangler(['worker', '--queues', 'gaps,sweep'], env);
    const traffic = startStrangler(
      ['traffic', '--duration', '120', '--rate', '0', '--concurrency', '6', '--seed', '11', '--json'],
      env,
    );
    children.push(worker.child, traffic.child);
    const latest = () => traffic.progress.at(-1);
    await waitFor('traffic to get going', () => (latest()?.acked ?? 0) > 50);

    // Postgres unreachable for 30 s: every connection refused, the ones open cut.
    await proxy.cut();
    const opsBeforeOutage = latest()!.ops;
    await sleep(30_000);
    await proxy.restore();
    const duringOutage = latest()!;
    expect(
      duringOutage.ops - opsBeforeOutage,
      'the application kept working while Postgres was away',
    ).toBeGreaterThan(100);
    expect(
      duringOutage.callerErrors,
      `caller errors during the Postgres outage; the traffic logged: ${traffic.logs.join('\n')}`,
    ).toBe(0);

    await sleep(3_000);
    await redis.restart();
    await sleep(4_000);

    // A worker mid-drain and the application mid-write die without a word.
    await kill9(worker);
    await kill9(traffic);
    const last = latest()!;
    expect(last.callerErrors, 'caller errors over the whole drill').toBe(0);

    // What an operator does next: start a worker again. Here the drain and the sweep run in-process,
    // after the killed worker's claims have lapsed (GAP_LEASE_MS).
    await sleep(5_500);
    const deadline = Date.now() + 120_000;
    for (;;) {
      await drainGaps({ pool: direct, mongo: source }, { leaseMs: 5_000, baseDelayMs: 0, maxDelayMs: 0 });
      if ((await openGaps(direct)) === 0 && (await countFallbackRecords(source)) === 0) break;
      if (Date.now() > deadline)
        throw new Error(`${await openGaps(direct)} gaps still open after 120 s of draining`);
      await sleep(500);
    }
    // Writes whose process died between MongoDB and its sync left no gap: the sweep is their backstop.
    const swept = await sweepCollections({ pool: direct, mongo: source });
    expect(swept.failed, 'collections the sweep could not finish').toBe(0);
    expect(await openGaps(direct)).toBe(0);

    // The drill was real: writes did become gaps (through the fallback store while Postgres was away).
    const { rows } = await direct.query<{ n: string }>(`SELECT count(*) AS n FROM pg_dualwrite_gaps`);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);

    await expectStoresAgree(source, database.url);
    expect(await moneySums(database.url)).toEqual(await mongoMoneySums(source, database.url));
  }, 300_000);
});
