import { MongoClient, type Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainGaps } from '../../src/gaps/drain.js';
import { countFallbackRecords } from '../../src/gaps/fallbackStore.js';
import { changeAllModes } from '../../src/modes/changeAll.js';
import { runCli } from '../support/cli.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { expectStoresAgree, moneySums, mongoMoneySums } from '../support/agreement.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { createPool } from '../../src/db/client.js';
import { gapGates } from '../../src/modes/gates/index.js';

describe('strangler traffic in dual mode: every write of the marketplace mix reaches Postgres as MongoDB has it', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let pool: pg.Pool;
  const prefix = uniquePrefix('traffic');

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    pool = createPool({ url: database.url, max: 2 });
    const report = await changeAllModes(
      database.db,
      { to: 'dual', actor: 'test', reason: 'traffic test' },
      { gates: gapGates(database.db) },
    );
    expect(report.stopped).toBeNull();
  });
  afterAll(async () => {
    await pool?.end();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
    await deletePrefix(prefix);
  });

  it('runs the mix with no caller error; the stores agree row by row and to the cent', async () => {
    const result = await runCli(
      ['traffic', '--duration', '8', '--rate', '0', '--concurrency', '6', '--seed', '7', '--json'],
      { PG_URL: database.url, MONGO_URL: mongo.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix },
      120_000,
    );
    const lines = result.stdout.trim().split('\n');
    const figures = JSON.parse(lines[lines.length - 1]!) as {
      ops: number;
      acked: number;
      callerErrors: number;
      errors: Record<string, number>;
      byOp: Record<string, { acked: number }>;
      p50Ms: number;
      p99Ms: number;
    };
    expect(figures.errors).toEqual({});
    expect(figures.callerErrors).toBe(0);
    expect(result.code).toBe(0);
    // The mix reached its deep end: payments were confirmed and disputes raised, not only sign-ups.
    for (const op of ['newUser', 'makeOffer', 'checkout', 'confirmPayment', 'dispute', 'points', 'hotWrite'])
      expect(figures.byOp[op]?.acked ?? 0, op).toBeGreaterThan(0);

    // Anything Postgres did not take on the caller's path is a gap; drain it, then nothing may be left.
    await drainGaps({ pool, mongo: source });
    expect(await countFallbackRecords(source)).toBe(0);
    const { rows } = await pool.query<{ open: string }>(
      `SELECT count(*) AS open FROM pg_dualwrite_gaps WHERE status <> 'resolved'`,
    );
    expect(Number(rows[0]!.open)).toBe(0);

    await expectStoresAgree(source, database.url);
    expect(await moneySums(database.url)).toEqual(await mongoMoneySums(source, database.url));
  });
});
