import { ObjectId } from 'bson';
import { MongoClient, type Document } from 'mongodb';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/client.js';
import { drainGaps } from '../../src/gaps/drain.js';
import { FALLBACK_COLLECTION, type FallbackRecord } from '../../src/gaps/fallbackStore.js';
import { moveFallbackIntoGaps } from '../../src/gaps/moveFallback.js';
import { GapNotRecordedError, recordGap, type GapStores } from '../../src/gaps/record.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';

describe('gaps: the fallback store when Postgres is unreachable', () => {
  let stack: TestStack;
  let proxy: TcpProxy;
  let proxiedPool: pg.Pool;
  let stores: GapStores;
  const fallback = () => stack.source.collection<FallbackRecord>(FALLBACK_COLLECTION);

  beforeAll(async () => {
    stack = await startTestStack();
    const target = new URL(stack.pg.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(stack.pg.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    proxiedPool = createPool({ url: proxied.toString(), max: 2 });
    stores = { pool: proxiedPool, mongo: stack.deps.mongo };
  });
  afterAll(async () => {
    await proxy?.restore();
    await proxiedPool?.end();
    await proxy?.close();
    await stack?.stop();
  });

  it('records go to MongoDB while Postgres is away, and into the table once it is back', async () => {
    const ids = [new ObjectId(), new ObjectId(), new ObjectId().toHexString()];
    await stack.source
      .collection<Document>('configsettings')
      .insertMany([
        { _id: ids[0], key: 'a', value: 1 },
        { _id: ids[1], key: 'b', value: 2 },
        { _id: ids[2], value: 'string id' } as Document,
      ]);

    await proxy.cut();
    const before = new Date();
    for (const id of ids) {
      const recorded = await recordGap(stores, {
        collection: 'configsettings',
        id,
        op: 'upsert',
        error: new Error('sync failed'),
      });
      expect(recorded).toMatchObject({ store: 'fallback' });
      expect(recorded.store === 'fallback' && recorded.tableError).toMatch(/ECONNREFUSED/);
    }
    // A second failure of the same document while Postgres is still away: one record, seq bumped.
    await recordGap(stores, {
      collection: 'configsettings',
      id: ids[0],
      op: 'upsert',
      error: new Error('again'),
    });

    // A Postgres that accepts connections but never answers: the caller is not held past the timeout.
    await proxy.blackhole();
    const started = Date.now();
    const slow = await recordGap(
      stores,
      { collection: 'configsettings', id: ids[1], op: 'upsert', error: new Error('slow') },
      { timeoutMs: 300 },
    );
    expect(slow).toEqual({ store: 'fallback', tableError: 'no answer from Postgres within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2_000);

    const records = await fallback().find({}).sort({ _id: 1 }).toArray();
    expect(records).toHaveLength(3);
    const first = records.find((r) => r.legacyId === (ids[0] as ObjectId).toHexString());
    expect(first).toMatchObject({
      collection: 'configsettings',
      idJson: `{"$oid":"${(ids[0] as ObjectId).toHexString()}"}`,
      op: 'upsert',
      direction: 'forward',
      seq: 2,
    });
    expect(first!.lastError).toContain('gap table unavailable');
    expect(records.find((r) => r.legacyId === ids[2])!.idJson).toBe(JSON.stringify(ids[2]));
    const { rows: none } = await stack.pg.db.$client.query(`SELECT 1 FROM pg_dualwrite_gaps`);
    expect(none).toEqual([]);

    // Postgres is back. Several workers move the store at once: each record becomes one open gap.
    await proxy.restore();
    const moved = await Promise.all([1, 2, 3].map(() => moveFallbackIntoGaps(stores)));
    expect(moved.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await fallback().countDocuments({})).toBe(0);
    const { rows: gaps } = await stack.pg.db.$client.query<{
      legacy_object_id: string;
      id_json: string;
      status: string;
      first_seen_at: Date;
    }>(
      `SELECT legacy_object_id, id_json, status, first_seen_at FROM pg_dualwrite_gaps ORDER BY legacy_object_id`,
    );
    expect(gaps.map((g) => [g.legacy_object_id, g.status])).toEqual(
      ids.map((id) => [typeof id === 'string' ? id : id.toHexString(), 'open']).sort(),
    );
    // The gap's age counts from the failure, not from the move.
    for (const gap of gaps) expect(gap.first_seen_at.getTime()).toBeLessThanOrEqual(Date.now());
    for (const gap of gaps) expect(gap.first_seen_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    expect(await moveFallbackIntoGaps(stores)).toBe(0);

    expect(await drainGaps(stores)).toMatchObject({ claimed: 3, resolved: 3 });
    const { rows } = await stack.pg.db.$client.query(
      `SELECT key, value FROM config_settings ORDER BY legacy_object_id`,
    );
    expect(rows).toHaveLength(3);
  });

  it('a drain moves the fallback store first', async () => {
    const id = new ObjectId();
    await stack.source.collection<Document>('configsettings').insertOne({ _id: id, key: 'c', value: 3 });
    await proxy.cut();
    await recordGap(stores, { collection: 'configsettings', id, op: 'upsert', error: new Error('x') });
    await proxy.restore();
    expect(await drainGaps(stores)).toMatchObject({ moved: 1, claimed: 1, resolved: 1 });
    expect(await fallback().countDocuments({})).toBe(0);
  });

  it('when neither store takes the record the caller gets one error naming both', async () => {
    const closed = new MongoClient(stack.config.MONGO_URL, { serverSelectionTimeoutMS: 500 });
    await closed.connect();
    await closed.close();
    await proxy.cut();
    try {
      const id = new ObjectId();
      await expect(
        recordGap(
          { pool: proxiedPool, mongo: closed.db() },
          { collection: 'configsettings', id, op: 'upsert', error: new Error('x') },
        ),
      ).rejects.toThrow(GapNotRecordedError);
    } finally {
      await proxy.restore();
    }
  });
});
