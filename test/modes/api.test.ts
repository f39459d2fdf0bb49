import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionsRouter } from '../../src/board/api/collections.js';
import { errorHandler } from '../../src/board/errors.js';
import { startBoard, type RunningBoard } from '../../src/board/server.js';
import { loadConfig } from '../../src/config/env.js';
import { createDb, type Db } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { ModeReader } from '../../src/modes/reader.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { markCutoverReady, NO_CUTOVER_WAITS } from '../support/cutoverReady.js';

const TOKEN = 'test-token-0123456789';

describe('mode API', () => {
  let pgDb: TestDatabase;
  let mongo: TestMongo;
  let deps: WorkerDeps;
  let board: RunningBoard;
  const prefix = uniquePrefix('modeapi');

  const put = (path: string, body: unknown, token: string | null = TOKEN, base = board.url) =>
    fetch(`${base}${path}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
  const get = (path: string) =>
    fetch(`${board.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    mongo = await startTestMongo();
    const config = loadConfig({
      PG_URL: pgDb.url,
      MONGO_URL: mongo.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      API_TOKEN: TOKEN,
      ...NO_CUTOVER_WAITS,
    });
    // These tests are about how the API makes and records a move; the gates' own tests are elsewhere.
    await markCutoverReady(pgDb.db.$client, REGISTRY.order);
    deps = await openDeps(config, createLogger('silent'));
    board = await startBoard(deps, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await board?.close();
    await deps?.close();
    await mongo?.stop();
    await pgDb?.drop();
    await deletePrefix(prefix);
  });

  it('PUT /api/collections/:name/mode: 200 with the new mode and the audit row; readers are notified', async () => {
    const db: Db = createDb({ url: pgDb.url, max: 2 });
    const reader = new ModeReader({ db, redisUrl: TEST_REDIS_URL, prefix, ttlMs: 60_000 });
    try {
      await reader.whenSubscribed();
      expect(await reader.get('users')).toBe('mongo');
      const res = await put('/api/collections/users/mode', { mode: 'dual', reason: 'pilot' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        collection: 'users',
        mode: 'dual',
        from: 'mongo',
        changed: true,
        notified: true,
        change: {
          collection: 'users',
          from: 'mongo',
          to: 'dual',
          actor: 'api',
          reason: 'pilot',
          forced: false,
        },
      });
      expect(typeof (body.change as { changedAt: unknown }).changedAt).toBe('string');
      const deadline = Date.now() + 1_000;
      while ((await reader.get('users')) !== 'dual' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await reader.get('users')).toBe('dual');
    } finally {
      reader.close();
      await db.$client.end();
    }

    const same = await put('/api/collections/users/mode', { mode: 'dual' });
    expect(await same.json()).toMatchObject({ mode: 'dual', changed: false, change: null, notified: false });

    const collections = (await (await get('/api/collections')).json()) as {
      collections: { name: string; mode: string }[];
    };
    expect(collections.collections.find((c) => c.name === 'users')?.mode).toBe('dual');
  });

  it.each([
    ['an unknown mode', { mode: 'postgres' }, 'mode'],
    ['no mode', {}, 'mode'],
    ['force without a reason', { mode: 'dual', force: true }, 'reason'],
    ['an empty reason', { mode: 'dual', reason: '  ' }, 'reason'],
    ['force not a boolean', { mode: 'dual', force: 'yes', reason: 'r' }, 'force'],
    ['an unknown key', { mode: 'dual', actor: 'me' }, 'actor'],
  ])('PUT …/mode answers 400 naming the field for %s', async (_label, body, field) => {
    const res = await put('/api/collections/levelconfigs/mode', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; fields: Record<string, string[]> };
    expect(json.error).toBe('invalid body');
    expect(Object.keys(json.fields)).toEqual([field]);
  });

  it('PUT …/mode answers 400 for an unknown collection and 401 without the token', async () => {
    const unknown = await put('/api/collections/nope/mode', { mode: 'dual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'unknown collection "nope"', collection: 'nope' });
    expect((await put('/api/collections/users/mode', { mode: 'mongo' }, null)).status).toBe(401);
  });

  it('PUT …/mode answers 409 for a refused move, naming why', async () => {
    const res = await put('/api/collections/addresses/mode', { mode: 'pg' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      kind: 'SkippedModeError',
      error: 'addresses: mongo → pg refused: forward moves go one step at a time (next is dual)',
      collection: 'addresses',
      from: 'mongo',
      to: 'pg',
    });
  });

  it('PUT …/mode answers 409 naming a red cutover gate of the real policy; a back move goes through', async () => {
    // levelconfigs (no parents) is marked backfilled and verified; a gap open for an hour keeps it out of pg.
    expect((await put('/api/collections/levelconfigs/mode', { mode: 'dual' })).status).toBe(200);
    await deps.db.$client.query(
      `INSERT INTO pg_dualwrite_gaps (collection, legacy_object_id, op, first_seen_at)
       VALUES ('levelconfigs', 'cccccccccccccccccccccccc', 'upsert', now() - interval '1 hour')`,
    );
    const refused = await put('/api/collections/levelconfigs/mode', { mode: 'pg' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      kind: 'GateRefusedError',
      gates: [
        { name: 'gapAge', ok: false, value: expect.any(Number) },
        { name: 'forwardGaps', ok: false, value: 1 },
      ],
    });
    expect((await put('/api/collections/levelconfigs/mode', { mode: 'mongo' })).status).toBe(200);
  });

  it('PUT …/mode answers 409 naming a red gate; force with a reason goes through and is recorded', async () => {
    // The router alone, with a gate provider that reports a red gate for payments.
    const app = express();
    app.use(
      '/api/collections',
      express.json(),
      collectionsRouter(deps, {
        gates: async (collection) =>
          collection === 'payments'
            ? [{ name: 'verification', ok: false, value: '2 mismatching ranges' }]
            : [],
      }),
    );
    app.use(errorHandler(deps.log));
    const server: Server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refused = await put('/api/collections/payments/mode', { mode: 'dual' }, null, base);
      expect(refused.status).toBe(409);
      expect(await refused.json()).toEqual({
        kind: 'GateRefusedError',
        error: 'payments: mongo → dual refused: gate "verification" is red (value: "2 mismatching ranges")',
        collection: 'payments',
        from: 'mongo',
        to: 'dual',
        gates: [{ name: 'verification', ok: false, value: '2 mismatching ranges' }],
      });
      const forced = await put(
        '/api/collections/payments/mode',
        { mode: 'dual', force: true, reason: 'drift understood' },
        null,
        base,
      );
      expect(forced.status).toBe(200);
      expect(await forced.json()).toMatchObject({
        mode: 'dual',
        change: {
          forced: true,
          reason: 'drift understood',
          gates: { verification: { ok: false, value: '2 mismatching ranges' } },
        },
      });
      // A back move is never gated.
      const back = await put('/api/collections/payments/mode', { mode: 'mongo' }, null, base);
      expect(back.status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });

  it('GET /api/collections/:name/modes: the current mode and its changes, oldest first', async () => {
    const res = await get('/api/collections/payments/modes');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      collection: string;
      mode: string;
      changes: Record<string, unknown>[];
    };
    expect(body.collection).toBe('payments');
    expect(body.mode).toBe('mongo');
    expect(body.changes.map((c) => [c.from, c.to, c.forced])).toEqual([
      ['mongo', 'dual', true],
      ['dual', 'mongo', false],
    ]);
    const limited = (await (await get('/api/collections/payments/modes?limit=1')).json()) as {
      changes: { to: string }[];
    };
    expect(limited.changes.map((c) => c.to)).toEqual(['mongo']);
    expect((await get('/api/collections/payments/modes?limit=0')).status).toBe(400);
    expect((await get('/api/collections/nope/modes')).status).toBe(400);
  });
});
