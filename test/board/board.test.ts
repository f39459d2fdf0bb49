import { DrizzleQueryError, sql } from 'drizzle-orm';
import express from 'express';
import type { Db as MongoDb } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, type RunningBoard } from '../../src/board/server.js';
import { errorHandler } from '../../src/board/errors.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { startTestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { TEST_REDIS_URL } from '../support/env.js';

const TOKEN = 'test-token-0123456789';
const USER = 'ops';
const PASSWORD = 'board-secret';

describe('board', () => {
  let pgDb: TestDatabase;
  let mongo: Awaited<ReturnType<typeof startTestMongo>>;
  let deps: WorkerDeps;
  let board: RunningBoard;
  const prefix = uniquePrefix('board');

  const api = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
    fetch(`${board.url}${path}`, {
      ...init,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
    });
  const post = (path: string, body: unknown) =>
    api(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    mongo = await startTestMongo();
    const config = loadConfig({
      PG_URL: pgDb.url,
      MONGO_URL: mongo.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      API_TOKEN: TOKEN,
      BOARD_USER: USER,
      BOARD_PASSWORD: PASSWORD,
    });
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

  describe('Bull Board', () => {
    it('asks for basic auth, refuses wrong credentials, and serves the UI with the right ones', async () => {
      const anonymous = await fetch(`${board.url}/admin/queues`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);

      const wrong = await fetch(`${board.url}/admin/queues`, { headers: basic(USER, 'nope') });
      expect(wrong.status).toBe(401);
      const wrongUser = await fetch(`${board.url}/admin/queues`, { headers: basic('root', PASSWORD) });
      expect(wrongUser.status).toBe(401);

      const ok = await fetch(`${board.url}/admin/queues`, { headers: basic(USER, PASSWORD) });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/text\/html/);
      await ok.text();
    });

    it('lists the three queues through its own API, also behind basic auth', async () => {
      expect((await fetch(`${board.url}/admin/queues/api/queues`)).status).toBe(401);
      const res = await fetch(`${board.url}/admin/queues/api/queues`, { headers: basic(USER, PASSWORD) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
      expect(body.queues.map((q) => q.name).sort()).toEqual(['backfill', 'gaps', 'sweep', 'verify']);
      expect(body.queues.every((q) => !q.readOnlyMode)).toBe(true);
    });
  });

  describe('API auth', () => {
    it('refuses a mutation without, or with a wrong, bearer token', async () => {
      for (const token of [null, 'wrong-token-xxxxxxxx']) {
        const res = await api('/api/backfills', { method: 'POST', body: '{}' }, token);
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: 'unauthorized' });
      }
      // BOARD_USER's basic auth is an operator on the API too (the console calls it), but a write sent
      // with it must prove it is same-origin: a browser attaches basic auth to cross-site posts too.
      const basicInstead = await api(
        '/api/backfills',
        { method: 'POST', body: '{}', headers: basic(USER, PASSWORD) },
        null,
      );
      expect(basicInstead.status).toBe(403);
      expect(await basicInstead.json()).toEqual({ error: 'cross-site request refused' });
      const wrongBasic = await api(
        '/api/backfills',
        { method: 'POST', body: '{}', headers: basic(USER, 'nope') },
        null,
      );
      expect(wrongBasic.status).toBe(401);
      // API_TOKEN is a bearer token only, BOARD_PASSWORD a basic password only.
      expect((await api('/api/collections', {}, PASSWORD)).status).toBe(401);
      expect((await fetch(`${board.url}/admin/queues`, { headers: basic('api', TOKEN) })).status).toBe(401);
    });

    it('requires the token for reads too, but not for /healthz and /metrics', async () => {
      for (const path of ['/api/collections', '/api/backfills', '/api/gaps', '/api/rejects']) {
        expect((await api(path, {}, null)).status, path).toBe(401);
      }
      expect((await fetch(`${board.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${board.url}/metrics`)).status).toBe(200);
    });
  });

  describe('POST /api/backfills', () => {
    it.each([
      ['chunkSize too small', { chunkSize: 5 }, 'chunkSize'],
      ['chunkSize not an integer', { chunkSize: 1000.5 }, 'chunkSize'],
      ['chunkSize too large', { chunkSize: 50_001 }, 'chunkSize'],
      ['an empty collection list', { collections: [] }, 'collections'],
      ['an empty collection name', { collections: [''] }, 'collections'],
      ['collections neither "all" nor a list', { collections: 'users' }, 'collections'],
      ['since not a date-time', { since: 'yesterday' }, 'since'],
      ['since without a zone', { since: '2024-05-01T00:00:00' }, 'since'],
      ['an unknown key', { unknownKey: 1 }, 'unknownKey'],
    ])('answers 400 naming the field for %s', async (_label, body, field) => {
      const res = await post('/api/backfills', body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: string; fields: Record<string, string[]> };
      expect(json.error).toBe('invalid body');
      expect(Object.keys(json.fields)).toEqual([field]);
      expect(json.fields[field]?.length).toBeGreaterThan(0);
    });

    it('answers 400 to a body that is not JSON, or not an object', async () => {
      const malformed = await post('/api/backfills', '{"collections": ');
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({ error: 'body is not valid JSON' });

      const text = await api('/api/backfills', {
        method: 'POST',
        body: 'collections=all',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(400);
      expect(((await text.json()) as { error: string }).error).toMatch(/JSON/);

      const array = await post('/api/backfills', [1, 2]);
      expect(array.status).toBe(400);
    });

    it('answers 400 naming an unknown collection, and starts nothing', async () => {
      const known = REGISTRY.order[0]!;
      const res = await post('/api/backfills', { collections: [known, 'no_such_collection'] });
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: string; fields: { collections: string[] } };
      expect(json.error).toContain('"no_such_collection"');
      expect(json.error).not.toContain(`"${known}"`);
      expect(json.fields.collections[0]).toContain('no_such_collection');
      const runs = await deps.db.execute(sql`SELECT count(*)::int AS n FROM backfill_runs`);
      expect(runs.rows[0]).toEqual({ n: 0 });
    });

    it('starts a run: 202 with its id and link, then GET shows its progress and the list has it', async () => {
      const first = REGISTRY.order[0]!;
      const res = await post('/api/backfills', {
        collections: [first],
        since: '2024-05-01T00:00:00Z',
        chunkSize: 500,
      });
      expect(res.status).toBe(202);
      const { runId, links } = (await res.json()) as { runId: string; links: { self: string } };
      expect(runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(links.self).toBe(`/api/backfills/${runId}`);

      const one = await api(links.self);
      expect(one.status).toBe(200);
      const progress = (await one.json()) as {
        runId: string;
        chunkSize: number;
        since: string;
        collections: { name: string }[];
      };
      expect(progress).toMatchObject({ runId, chunkSize: 500, since: '2024-05-01T00:00:00.000Z' });
      expect(progress.collections.map((c) => c.name)).toEqual([first]);

      const list = await api('/api/backfills?limit=5');
      expect(list.status).toBe(200);
      const { runs } = (await list.json()) as { runs: { runId: string }[] };
      expect(runs[0]?.runId).toBe(runId);
    });

    it('takes an empty body as "every collection, default chunk size", once no live run holds one', async () => {
      // The previous test's run is still running (no worker here): a run over its collection is refused.
      const [live] = (
        await deps.db.execute<{ id: string }>(sql`SELECT id FROM backfill_runs WHERE status = 'running'`)
      ).rows;
      const refused = await api('/api/backfills', { method: 'POST' });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { runId: string }).runId).toBe(live!.id);
      await deps.db.execute(
        sql`UPDATE backfill_runs SET status = 'failed', error = 'ended by the test' WHERE id = ${live!.id}`,
      );

      const res = await api('/api/backfills', { method: 'POST' });
      expect(res.status).toBe(202);
      const { runId } = (await res.json()) as { runId: string };
      const progress = (await (await api(`/api/backfills/${runId}`)).json()) as {
        collections: { name: string }[];
      };
      expect(progress.collections.map((c) => c.name).sort()).toEqual([...REGISTRY.order].sort());
    });
  });

  describe('GET /api/backfills/:id', () => {
    it('answers 400 to an id that is not a uuid and 404 to an unknown one', async () => {
      const bad = await api('/api/backfills/not-a-uuid');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe('invalid run id');
      const unknown = await api('/api/backfills/00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: string }).error).toMatch(/no backfill run/);
    });

    it('validates ?limit on the list', async () => {
      expect((await api('/api/backfills?limit=0')).status).toBe(400);
      expect((await api('/api/backfills?limit=abc')).status).toBe(400);
    });
  });

  describe('collections, gaps and rejects', () => {
    beforeAll(async () => {
      await deps.db.execute(sql`
        INSERT INTO migration_rejects (collection, legacy_object_id, reason, field, message, raw, resolved_at) VALUES
          ('users', 'u1', 'orphan_reference', 'level', 'level 9 has no level_configs row', '{"_id":"u1"}', NULL),
          ('users', 'u2', 'invalid_money', 'balance', 'not a decimal', '{"_id":"u2"}', NULL),
          ('users', 'u3', 'invalid_money', 'balance', 'fixed since', '{"_id":"u3"}', now())`);
      await deps.db.execute(sql`
        INSERT INTO pg_dualwrite_gaps (collection, legacy_object_id, op, status, last_error) VALUES
          ('users', 'u4', 'upsert', 'open', 'connection reset'),
          ('users', 'u5', 'delete', 'resolved', NULL)`);
    });

    it('GET /api/collections: every registered collection with its counts', async () => {
      const res = await api('/api/collections');
      expect(res.status).toBe(200);
      const { collections } = (await res.json()) as { collections: Record<string, unknown>[] };
      expect(collections.map((c) => c.name)).toEqual([...REGISTRY.order]);
      const users = collections.find((c) => c.name === 'users');
      expect(users).toMatchObject({ mode: 'mongo', rejected: 2, gapsOpen: 1, lastVerification: null });
    });

    it('GET /api/gaps: open gaps and their total, with a bounded limit', async () => {
      const res = await api('/api/gaps');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { total: number; gaps: { legacyId: string; op: string }[] };
      expect(body.total).toBe(1);
      expect(body.gaps).toMatchObject([{ legacyId: 'u4', op: 'upsert' }]);
      expect((await api('/api/gaps?limit=1001')).status).toBe(400);
    });

    it('GET /api/rejects: open rejects filtered, raw only on request', async () => {
      const all = (await (await api('/api/rejects')).json()) as {
        total: number;
        rejects: Record<string, unknown>[];
      };
      expect(all.total).toBe(2);
      expect(all.rejects.map((r) => r.legacyId)).toEqual(['u1', 'u2']);
      expect(all.rejects[0]).not.toHaveProperty('raw');

      const money = (await (
        await api('/api/rejects?collection=users&reason=invalid_money&raw=1')
      ).json()) as {
        total: number;
        rejects: Record<string, unknown>[];
      };
      expect(money.total).toBe(1);
      expect(money.rejects[0]).toMatchObject({ legacyId: 'u2', field: 'balance', raw: { _id: 'u2' } });

      const bad = await api('/api/rejects?reason=bogus');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { fields: Record<string, unknown> }).fields).toHaveProperty('reason');
    });
  });

  describe('verifications', () => {
    // What a run does is test/verify/api.test.ts's; here only that the route sits behind the token.
    it('POST /api/verifications answers 401 without the token', async () => {
      expect((await api('/api/verifications', { method: 'POST', body: '{}' }, null)).status).toBe(401);
    });
  });

  describe('health, metrics, errors', () => {
    it('GET /healthz: 200 with every check ok', async () => {
      const res = await fetch(`${board.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, checks: { postgres: 'ok', redis: 'ok', mongo: 'ok' } });
    });

    it('GET /healthz: 503 naming the service that fails', async () => {
      const deadMongo = {
        command: () => Promise.reject(new Error('connection refused')),
      } as unknown as MongoDb;
      const slowMongo = { command: () => new Promise(() => undefined) } as unknown as MongoDb;
      for (const [mongoDb, outcome] of [
        [deadMongo, 'error'],
        [slowMongo, 'timeout'],
      ] as const) {
        const broken = await startBoard({ ...deps, mongo: mongoDb }, 0, '127.0.0.1');
        try {
          const res = await fetch(`${broken.url}/healthz`);
          expect(res.status).toBe(503);
          expect(await res.json()).toEqual({
            ok: false,
            checks: { postgres: 'ok', redis: 'ok', mongo: outcome },
            failed: ['mongo'],
          });
        } finally {
          await broken.close();
        }
      }
    });

    it('GET /metrics: process metrics, queue gauges per state, collection gauges', async () => {
      const res = await fetch(`${board.url}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      const text = await res.text();
      expect(text).toContain('strangler_process_cpu_user_seconds_total');
      // The runs started above left their root jobs in the backfill queue (no worker runs here).
      expect(text).toMatch(/strangler_queue_jobs\{queue="backfill",state="waiting-children"\} [1-9]/);
      expect(text).toMatch(/strangler_queue_jobs\{queue="verify",state="waiting"\} 0/);
      expect(text).toContain('strangler_collection_rejects_open{collection="users"} 2');
      expect(text).toMatch(/strangler_collection_migrated_rows\{collection="users"\} 0/);
    });

    it('an unknown route is a 404 JSON once signed in (401 before: strangers cannot probe paths)', async () => {
      expect((await fetch(`${board.url}/nope`)).status).toBe(401);
      const res = await fetch(`${board.url}/nope`, { headers: basic(USER, PASSWORD) });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not found' });
      expect((await api('/api/nope')).status).toBe(404);
    });

    it('an unexpected error is a 500 JSON with its message, no stack, and is logged', async () => {
      const lines: string[] = [];
      const log = createLogger('error');
      const logged = Object.assign(Object.create(log) as typeof log, {
        error: (obj: unknown, msg: string) =>
          lines.push(`${msg} ${String((obj as { err: Error }).err.message)}`),
      });
      const app = express();
      app.get('/boom', () => {
        throw new Error('relation "nope" does not exist');
      });
      app.get('/query', () => {
        throw new DrizzleQueryError(
          'SELECT * FROM users WHERE email = $1',
          ['someone@example.com'],
          new Error('timeout'),
        );
      });
      app.use(errorHandler(logged));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const port = (server.address() as { port: number }).port;
        const res = await fetch(`http://127.0.0.1:${port}/boom`);
        expect(res.status).toBe(500);
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).toEqual({ error: 'relation "nope" does not exist' });
        // A failed query shows the driver's message, not Drizzle's "Failed query: <sql> params: <values>".
        const query = await fetch(`http://127.0.0.1:${port}/query`);
        expect(query.status).toBe(500);
        expect(await query.json()).toEqual({ error: 'timeout' });
        expect(lines).toHaveLength(2);
        expect(lines[0]).toBe('request failed relation "nope" does not exist');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
