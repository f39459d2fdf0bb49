import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UnknownCollectionError } from '../../src/collections/registry.js';
import { createDb, type Db } from '../../src/db/client.js';
import { changeMode } from '../../src/modes/changeMode.js';
import type { CollectionMode } from '../../src/modes/machine.js';
import { createModeNotifier } from '../../src/modes/notify.js';
import { ModeReader } from '../../src/modes/reader.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { uniquePrefix } from '../support/queue.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { gapGates } from '../../src/modes/gates/index.js';

/** Nothing listens there: a Redis that is down. */
const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

/** Polls until `reader` answers `mode` for `collection`; returns the milliseconds it took. */
async function timeUntil(
  reader: ModeReader,
  collection: string,
  mode: CollectionMode,
  since: number,
  limitMs: number,
): Promise<number> {
  for (;;) {
    if ((await reader.get(collection)) === mode) return performance.now() - since;
    if (performance.now() - since > limitMs) throw new Error(`${collection} not ${mode} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ModeReader', () => {
  let pgDb: TestDatabase;
  /** Each reader gets its own pool, as a separate process would. */
  const pools: Db[] = [];
  const readers: ModeReader[] = [];
  let prefix: string;

  const openReader = (options: { ttlMs: number; prefix?: string; redisUrl?: string }) => {
    const db = createDb({ url: pgDb.url, max: 2 });
    pools.push(db);
    const reader = new ModeReader({
      db,
      redisUrl: options.redisUrl ?? TEST_REDIS_URL,
      prefix: options.prefix ?? prefix,
      ttlMs: options.ttlMs,
    });
    readers.push(reader);
    return reader;
  };

  beforeAll(async () => {
    pgDb = await createTestDatabase();
  });
  beforeEach(async () => {
    prefix = uniquePrefix('modes');
    await pgDb.db.execute(sql`TRUNCATE collection_modes, collection_mode_changes`);
  });
  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await Promise.all(pools.splice(0).map((db) => db.$client.end()));
  });
  afterAll(async () => {
    await pgDb?.drop();
  });

  it('answers mongo for a collection that never moved, and refuses an unknown name', async () => {
    const reader = openReader({ ttlMs: 2_000 });
    expect(await reader.get('users')).toBe('mongo');
    await expect(reader.get('nope')).rejects.toThrow(UnknownCollectionError);
  });

  it('sees a published flip in another instance well under its TTL, and only on its own prefix', async () => {
    const ttlMs = 60_000;
    const other = openReader({ ttlMs });
    const elsewhere = openReader({ ttlMs, prefix: uniquePrefix('modes-other') });
    await Promise.all([other.whenSubscribed(), elsewhere.whenSubscribed()]);
    // Warm both caches with the old mode.
    expect(await other.get('users')).toBe('mongo');
    expect(await elsewhere.get('users')).toBe('mongo');

    const notifier = createModeNotifier({ redisUrl: TEST_REDIS_URL, prefix });
    try {
      const move = await changeMode(
        pgDb.db,
        { collection: 'users', to: 'dual', actor: 'test' },
        { gates: gapGates(pgDb.db) },
      );
      const committed = performance.now();
      expect(await notifier.notify(move)).toEqual({ published: true });
      const tookMs = await timeUntil(other, 'users', 'dual', committed, 2_000);
      expect(tookMs).toBeLessThan(1_000);
    } finally {
      notifier.close();
    }
    // A deployment with another QUEUE_PREFIX got no message: it still trusts its snapshot.
    expect(await elsewhere.get('users')).toBe('mongo');
  });

  it('without a message, sees the flip once its TTL runs out, and not before', async () => {
    const ttlMs = 1_000;
    const reader = openReader({ ttlMs });
    await reader.whenSubscribed();
    expect(await reader.get('users')).toBe('mongo');
    const warmed = performance.now();

    await changeMode(
      pgDb.db,
      { collection: 'users', to: 'dual', actor: 'test' },
      { gates: gapGates(pgDb.db) },
    ); // publish skipped
    expect(await reader.get('users')).toBe('mongo'); // served from the snapshot
    const tookMs = await timeUntil(reader, 'users', 'dual', warmed, ttlMs + 1_000);
    expect(tookMs).toBeGreaterThanOrEqual(ttlMs - 50);
    expect(tookMs).toBeLessThan(ttlMs + 500);
  });

  it('with Redis down, still reads Postgres and bounds staleness by the TTL', async () => {
    const ttlMs = 500;
    const reader = openReader({ ttlMs, redisUrl: DEAD_REDIS_URL });
    expect(await reader.get('users')).toBe('mongo');
    const warmed = performance.now();
    await changeMode(
      pgDb.db,
      { collection: 'users', to: 'dual', actor: 'test' },
      { gates: gapGates(pgDb.db) },
    );
    const notifier = createModeNotifier({ redisUrl: DEAD_REDIS_URL, prefix, timeoutMs: 500 });
    try {
      const result = await notifier.notify({
        collection: 'users',
        from: 'mongo',
        to: 'dual',
        changed: true,
        change: null,
      });
      expect(result.published).toBe(false);
      expect(result.error).toBeTruthy();
    } finally {
      notifier.close();
    }
    expect(await timeUntil(reader, 'users', 'dual', warmed, ttlMs + 1_000)).toBeLessThan(ttlMs + 500);
  });

  it('serves the last modes read when Postgres cannot be read, and throws when it has none', async () => {
    const reader = openReader({ ttlMs: 10 });
    await changeMode(
      pgDb.db,
      { collection: 'users', to: 'dual', actor: 'test' },
      { gates: gapGates(pgDb.db) },
    );
    expect(await reader.get('users')).toBe('dual');
    await pools.at(-1)!.$client.end(); // this reader's Postgres is gone
    pools.pop();
    reader.invalidate();
    expect(await reader.get('users')).toBe('dual');

    const cold = openReader({ ttlMs: 10 });
    await pools.at(-1)!.$client.end();
    pools.pop();
    await expect(cold.get('users')).rejects.toThrow();
  });

  it('shares one query between concurrent callers', async () => {
    const reader = openReader({ ttlMs: 2_000 });
    const pool = pools.at(-1)!.$client;
    const answers = await Promise.all(Array.from({ length: 20 }, () => reader.get('payments')));
    expect(new Set(answers)).toEqual(new Set(['mongo']));
    // Twenty separate queries would have opened both connections of this reader's pool.
    expect(pool.totalCount).toBe(1);
  });
});
