import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/client.js';
import { countFallbackRecords } from '../../src/gaps/fallbackStore.js';
import { drainReverseGaps } from '../../src/mirror/drainReverse.js';
import { changeAllModes } from '../../src/modes/changeAll.js';
import { sweepReverse } from '../../src/sweep/reverseSweep.js';
import { expectStoresAgree, moneySums, mongoMoneySums } from '../support/agreement.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { kill9, startStrangler, waitFor } from '../support/stranglerProcess.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { gapGates } from '../../src/modes/gates/index.js';

const unsettledGaps = async (pool: pg.Pool, direction: 'forward' | 'reverse') => {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_dualwrite_gaps WHERE direction = $1 AND status <> 'resolved'`,
    [direction],
  );
  return rows[0]!.n;
};

/** The longest time, in the traffic's own progress lines from `from` on, during which no call completed. */
function longestStop(progress: readonly { seconds: number; ops: number }[], from: number): number {
  let longest = 0;
  let since: { seconds: number; ops: number } | undefined;
  for (const point of progress.filter((p) => p.seconds >= from)) {
    if (since === undefined || point.ops > since.ops) since = point;
    else longest = Math.max(longest, point.seconds - since.seconds);
  }
  return longest;
}

/**
 * Issue 9's chaos drill, in pg mode under `strangler traffic`: MongoDB unreachable for 30 s (a TCP proxy
 * in front of the embedded server is cut: its data is kept), then a worker and the traffic process
 * killed with SIGKILL. Postgres is authoritative, so the application must not notice the outage; once
 * the reverse gaps are drained and the reverse sweep has run (for a process killed between its commit
 * and its mirror), every MongoDB document must equal its rows through the reverse mapping.
 */
describe('chaos in pg mode: MongoDB down 30 s, then a worker and the app SIGKILLed', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let direct: pg.Pool;
  let proxy: TcpProxy;
  const prefix = uniquePrefix('pg-chaos');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    direct = createPool({ url: database.url, max: 3 });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(mongo.url).port) });
    for (const to of ['dual', 'pg'] as const) {
      const report = await changeAllModes(
        database.db,
        { to, actor: 'chaos', reason: 'pg-mode drill' },
        { gates: gapGates(database.db) },
      );
      expect(report.stopped).toBeNull();
    }
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await proxy?.close();
    await direct?.end();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
    await deletePrefix(prefix);
  });

  it('0 caller errors from the outage; after the drain 0 reverse gaps; every document equals its rows; money exact', async () => {
    const viaProxy = new URL(mongo.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const env = {
      PG_URL: database.url,
      MONGO_URL: viaProxy.toString(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      GAP_DRAIN_EVERY_MS: '1000',
      GAP_LEASE_MS: '5000',
      SWEEP_EVERY_MS: '3000',
    };
    const worker = startStrangler(['worker', '--queues', 'gaps,sweep'], env);
    const traffic = startStrangler(
      ['traffic', '--duration', '120', '--rate', '0', '--concurrency', '6', '--seed', '13', '--json'],
      env,
    );
    children.push(worker.child, traffic.child);
    const latest = () => traffic.progress.at(-1);
    // Past the settle window of the flip into pg (the traffic routes by dual until then).
    await waitFor('traffic in pg mode', () => (latest()?.acked ?? 0) > 50 && (latest()?.seconds ?? 0) > 12);

    await proxy.cut();
    const beforeOutage = latest()!;
    await sleep(30_000);
    await proxy.restore();
    const duringOutage = latest()!;
    // Kept working, and not crawling: a mirror waiting on the unreachable MongoDB while holding its
    // documents' locks (a caller's, a drain's, a sweep's) would stall every writer of those documents.
    const rateBefore = beforeOutage.ops / beforeOutage.seconds;
    const rateDuring = (duringOutage.ops - beforeOutage.ops) / (duringOutage.seconds - beforeOutage.seconds);
    // The outage's timeline, second by second, so a slow stretch shows when it happened and how long.
    const timeline = traffic.progress
      .filter((p) => p.seconds >= beforeOutage.seconds)
      .map((p) => `${Math.round(p.seconds)}s:${p.ops}`);
    console.log(
      `pg-mode chaos: ${rateBefore.toFixed(1)} ops/s before the outage, ${rateDuring.toFixed(1)} during it; ` +
        `ops by second: ${timeline.join(' ')}`,
    );
    expect(rateDuring, `ops/s during the outage (${rateBefore.toFixed(0)} before it)`).toBeGreaterThan(
      rateBefore / 4,
    );
    // Nor stopped: a mirror holds its documents no longer than the caller's 2 s wait (a drain's or a
    // sweep's batch 5 s), however long the driver would wait for a MongoDB that is gone. While the
    // driver's `timeoutMS` was taken for a deadline, all callers stood still up to its 10 s of server
    // selection behind one mirror of a hot document (test/mirror/reverseGaps.test.ts pins the bound).
    expect(
      longestStop(traffic.progress, beforeOutage.seconds),
      'longest stretch (s) with no call completed',
    ).toBeLessThan(8);
    expect(
      duringOutage.callerErrors,
      `caller errors during the MongoDB outage; the traffic logged: ${traffic.logs.join('\n')}`,
    ).toBe(0);
    // The outage was real: writes became reverse gaps.
    expect(await unsettledGaps(direct, 'reverse')).toBeGreaterThan(0);

    await sleep(4_000);
    await kill9(worker);
    await kill9(traffic);
    expect(
      latest()!.callerErrors,
      `caller errors over the whole drill; the traffic logged: ${traffic.logs.join('\n')}`,
    ).toBe(0);

    // What an operator does next: a worker again. Here the drain and the sweep run in-process, after
    // the killed worker's claims have lapsed (GAP_LEASE_MS).
    await sleep(5_500);
    const deadline = Date.now() + 120_000;
    for (;;) {
      await drainReverseGaps(
        { pool: direct, mongo: source },
        { leaseMs: 5_000, baseDelayMs: 0, maxDelayMs: 0 },
      );
      if ((await unsettledGaps(direct, 'reverse')) === 0 && (await countFallbackRecords(source)) === 0) break;
      if (Date.now() > deadline)
        throw new Error(`${await unsettledGaps(direct, 'reverse')} reverse gaps still open after 120 s`);
      await sleep(500);
    }
    // A commit whose process died before its mirror left no gap: the reverse sweep is its backstop.
    const swept = await sweepReverse({ pool: direct, mongo: source });
    expect(swept.failed, 'collections the reverse sweep could not finish').toBe(0);
    expect(await unsettledGaps(direct, 'reverse')).toBe(0);
    expect(await unsettledGaps(direct, 'forward')).toBe(0);

    await expectStoresAgree(source, database.url);
    expect(await moneySums(database.url)).toEqual(await mongoMoneySums(source, database.url));
  }, 300_000);
});
