import { MongoClient, ObjectId, type Db as MongoDb, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainGaps } from '../../src/gaps/drain.js';
import { gapDrainJob } from '../../src/jobs/gaps/drain.js';
import { createLogger } from '../../src/logger.js';
import { drainReverseGaps } from '../../src/mirror/drainReverse.js';
import {
  followMirror,
  type MirrorFollowOptions,
  type MirroredDocument,
} from '../../src/mirror/followMirror.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { holdDocuments, releaseHeldDocuments } from '../../src/sync/locks.js';
import type { WorkerDeps } from '../../src/workers/deps.js';
import { copyCollections, expectStoresAgree } from '../support/agreement.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { documentAndRows } from './support.js';

/**
 * pg mode with MongoDB out of reach: the embedded server keeps no data across a restart, so a TCP proxy
 * stands in front of it and is cut (connections refused) or blackholed (accepted, never answered).
 * followMirror turns each document into a reverse gap within its bounded time and never throws; once
 * MongoDB is back, the reverse drain (directly, and through the scheduled gaps.drain job) mirrors them
 * and resolves the gaps.
 */
describe('reverse gaps: a MongoDB mirror that fails is recorded and drained later', () => {
  let mongo: TestMongo;
  let direct: MongoClient;
  let source: MongoDb;
  let proxy: TcpProxy;
  let proxied: MongoClient;
  let mirrorDb: MongoDb;
  let pg: TestDatabase;
  const pool = () => pg.db.$client;

  beforeAll(async () => {
    mongo = await startTestMongo();
    direct = new MongoClient(mongo.url);
    await direct.connect();
    source = direct.db(mongo.dbName);
    const target = new URL(mongo.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    // The mirror's client, with bounded timeouts (an abandoned mirror holds its locks until the driver gives up).
    proxied = new MongoClient(`mongodb://127.0.0.1:${proxy.port}/${mongo.dbName}`, {
      serverSelectionTimeoutMS: 1_000,
      connectTimeoutMS: 1_000,
      socketTimeoutMS: 1_500,
      heartbeatFrequencyMS: 500,
    });
    await proxied.connect();
    mirrorDb = proxied.db(mongo.dbName);
    pg = await createTestDatabase();
    await seedDatabase(source, { docs: 300, seed: 21 });
    await copyCollections(pool(), source);
  });
  afterAll(async () => {
    await proxied?.close();
    await proxy?.close();
    await pg?.drop();
    await direct?.close();
    await mongo?.stop();
  });

  /** One collection's mirror on a client of its own, released once the mirror lets go of it. */
  const follow = async (options: MirrorFollowOptions, collection: string, documents: MirroredDocument[]) => {
    const client = await pool().connect();
    const { report, settled } = followMirror(options, client, [{ collection, documents }]);
    void settled.then(() => client.release());
    return report;
  };

  const reverseGaps = async () =>
    (
      await pool().query<{ collection: string; id: string; status: string; op: string; last_error: string }>(
        `SELECT collection, legacy_object_id AS id, status::text, op::text, last_error FROM pg_dualwrite_gaps
          WHERE direction = 'reverse' ORDER BY id`,
      )
    ).rows;

  /** Changes `n` live rows of a table in Postgres; returns their `_id`s. */
  const changeRows = async (table: string, set: string, n: number, offset: number) => {
    const { rows } = await pool().query<{ id: string }>(
      `UPDATE ${table} SET ${set} WHERE legacy_object_id IN (
         SELECT legacy_object_id FROM ${table} WHERE source_deleted_at IS NULL AND rejected_at IS NULL
          ORDER BY legacy_object_id LIMIT ${n} OFFSET ${offset})
       RETURNING legacy_object_id AS id`,
    );
    expect(rows).toHaveLength(n);
    return rows.map((r) => new ObjectId(r.id));
  };

  it('cut, then blackholed: reverse gaps within the bounded time; back: drained and resolved', async () => {
    const cities = await changeRows('addresses', `city = 'Offline ' || legacy_object_id`, 3, 0);
    const amounts = await changeRows('payments', `amount = amount + 0.000000000000000001`, 2, 0);
    const removed = (await changeRows('addresses', `source_deleted_at = now()`, 1, 10))[0]!;
    const log = createLogger('silent');

    await proxy.cut();
    let started = Date.now();
    const addressReport = await follow({ pool: pool(), mongo: mirrorDb, log }, 'addresses', [
      ...cities.map((id) => ({ id })),
      { id: removed, op: 'delete' as const },
    ]);
    const paymentReport = await follow({ pool: pool(), mongo: mirrorDb, log }, 'payments', [
      ...amounts.map((id) => ({ id })),
    ]);
    const cutMs = Date.now() - started;
    expect(addressReport).toMatchObject({ mirrored: 0, gaps: 4, unrecorded: 0 });
    expect(paymentReport).toMatchObject({ mirrored: 0, gaps: 2, unrecorded: 0 });
    expect(cutMs).toBeLessThan(2 * 3_000);

    // Blackholed: the driver hangs, the caller's bound answers.
    await proxy.blackhole();
    const hung = await changeRows('addresses', `city = 'Hung ' || legacy_object_id`, 1, 20);
    started = Date.now();
    expect(
      await follow({ pool: pool(), mongo: mirrorDb, mirrorTimeoutMs: 300 }, 'addresses', [{ id: hung[0] }]),
    ).toMatchObject({ mirrored: 0, gaps: 1, unrecorded: 0 });
    expect(Date.now() - started).toBeLessThan(300 + 1_500);

    const gaps = await reverseGaps();
    expect(gaps).toHaveLength(7);
    expect(gaps.every((g) => g.status === 'open')).toBe(true);
    expect(gaps.find((g) => g.id === removed.toHexString())?.op).toBe('delete');
    expect(gaps.find((g) => g.id === hung[0]!.toHexString())?.last_error).toMatch(/within 300 ms/);
    // MongoDB still has the old documents; the forward drain leaves reverse gaps alone.
    expect((await source.collection('addresses').findOne({ _id: cities[0] }))?.city).not.toMatch(/^Offline/);
    expect(await drainGaps({ pool: pool(), mongo: source })).toMatchObject({ claimed: 0 });

    // A reverse drain while MongoDB is still away: every gap fails at once (one outage) and backs off.
    await proxy.cut();
    const failing = await drainReverseGaps({ pool: pool(), mongo: mirrorDb }, { baseDelayMs: 0, jitter: 0 });
    expect(failing).toMatchObject({ claimed: 7, resolved: 0, retrying: 7, dead: 0 });

    // MongoDB is back: the scheduled job (forward drain, then reverse) mirrors and resolves them.
    await proxy.restore();
    const deps = { db: { $client: pool() }, mongo: mirrorDb, log } as unknown as WorkerDeps;
    const job = await gapDrainJob.process({ baseDelayMs: 0, jitter: 0 }, deps, undefined as never, undefined);
    expect(job.claimed).toBe(0);
    expect(job.reverse).toMatchObject({ claimed: 7, resolved: 7, retrying: 0, dead: 0 });
    expect((await reverseGaps()).every((g) => g.status === 'resolved')).toBe(true);

    expect(await source.collection('addresses').findOne({ _id: removed })).toBeNull();
    for (const [collection, id] of [
      ...[...cities, ...hung].map((id) => ['addresses', id] as const),
      ...amounts.map((id) => ['payments', id] as const),
    ]) {
      const { mongo: got, rows } = await documentAndRows(pool(), source, collection, id);
      expect(got, `${collection} ${id.toHexString()}`).toBe(rows);
    }
    expect((await source.collection<Document>('addresses').findOne({ _id: cities[0] }))?.city).toBe(
      `Offline ${cities[0]!.toHexString()}`,
    );
    await expectStoresAgree(source, pg.url, { collections: ['addresses', 'payments'] });
  });

  it("a mirror lets go of its documents' locks when the caller's wait ends, whatever the driver's own timeouts", async () => {
    // The worker's and the traffic's settings: 10 s of server selection, no socket timeout. The driver's
    // `timeoutMS` has no effect since mongodb 7, so only the mirror's own signal can end it sooner.
    const slowDriver = new MongoClient(`mongodb://127.0.0.1:${proxy.port}/${mongo.dbName}`, {
      serverSelectionTimeoutMS: 10_000,
    });
    await slowDriver.connect();
    const log = createLogger('silent');
    try {
      let offset = 3;
      for (const outage of ['cut', 'blackhole'] as const)
        // A changed row starts with a read of MongoDB (its `__v`); a removed one goes straight to the bulk write.
        for (const change of ['replace', 'delete'] as const) {
          const [id] =
            change === 'replace'
              ? await changeRows('addresses', `city = 'Held ' || legacy_object_id`, 1, offset++)
              : await changeRows('addresses', `source_deleted_at = now()`, 1, offset++);
          await proxy[outage]();
          const client = await pool().connect();
          // The seam holds the documents' SESSION locks from before its COMMIT until its mirror lets go.
          await holdDocuments(client, 'addresses', [id]);
          const started = performance.now();
          const { report, settled } = followMirror(
            { pool: pool(), mongo: slowDriver.db(mongo.dbName), log, mirrorTimeoutMs: 500 },
            client,
            [{ collection: 'addresses', documents: [{ id, op: change === 'delete' ? 'delete' : 'upsert' }] }],
          );
          expect(await report).toMatchObject({ mirrored: 0, gaps: 1, unrecorded: 0 });
          await settled;
          const heldMs = performance.now() - started;
          await releaseHeldDocuments(client);
          client.release();
          await proxy.restore();
          expect(heldMs, `${outage} MongoDB, ${change}: ms the mirror held the document`).toBeLessThan(4_000);
        }
    } finally {
      await slowDriver.close();
    }
  });
});
