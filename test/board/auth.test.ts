import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardExposureError, startBoard, type RunningBoard } from '../../src/board/server.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { CONFIG_DEFAULTS, loadConfig, type Config } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { markCutoverReady, NO_CUTOVER_WAITS } from '../support/cutoverReady.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';

// Who may do what (src/board/auth.ts): named credentials with roles, and the same-origin rule.
const OPERATOR = { name: 'olga', secret: 'olga-operator-secret' };
const VIEWER = { name: 'victor', secret: 'victor-viewer-secret' };
const CREDENTIALS = `${OPERATOR.name}:operator:${OPERATOR.secret}, ${VIEWER.name}:viewer:${VIEWER.secret}`;

const basic = (who: { name: string; secret: string }) => ({
  authorization: `Basic ${Buffer.from(`${who.name}:${who.secret}`).toString('base64')}`,
});
const bearer = (who: { secret: string }) => ({ authorization: `Bearer ${who.secret}` });

describe('board auth', () => {
  let pgDb: TestDatabase;
  let mongo: TestMongo;
  let deps: WorkerDeps;
  let board: RunningBoard;
  const prefix = uniquePrefix('boardauth');

  const modeOf = async (collection: string) => {
    const res = await fetch(`${board.url}/api/collections/${collection}/modes`, { headers: bearer(VIEWER) });
    return (await res.json()) as { mode: string; changes: { actor: string; to: string }[] };
  };
  const runCount = async () =>
    (await deps.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM backfill_runs`)).rows[0]!.n;
  const setMode = (mode: string, headers: Record<string, string>) =>
    fetch(`${board.url}/api/collections/users/mode`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ mode, reason: 'auth test' }),
    });

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    mongo = await startTestMongo();
    const config = loadConfig({
      PG_URL: pgDb.url,
      MONGO_URL: mongo.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      BOARD_CREDENTIALS: CREDENTIALS,
      ...NO_CUTOVER_WAITS,
    });
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

  describe('without credentials', () => {
    it('the page and Bull Board answer 401 with a basic challenge, so the browser prompts', async () => {
      for (const path of ['/', '/admin/queues', '/admin/queues/api/queues', '/anything']) {
        const res = await fetch(`${board.url}${path}`);
        expect(res.status, path).toBe(401);
        expect(res.headers.get('www-authenticate'), path).toMatch(/^Basic realm=/);
        expect(await res.json()).toEqual({ error: 'unauthorized' });
      }
    });

    it('the API answers 401 with a bearer challenge, for reads and writes', async () => {
      const read = await fetch(`${board.url}/api/collections`);
      expect(read.status).toBe(401);
      expect(read.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
      expect(await read.json()).toEqual({ error: 'unauthorized' });
      expect((await setMode('dual', {})).status).toBe(401);
    });

    it('a wrong secret, a name with another secret, or a secret as the wrong user is refused', async () => {
      for (const headers of [
        basic({ name: OPERATOR.name, secret: 'not-the-secret' }),
        basic({ name: OPERATOR.name, secret: VIEWER.secret }),
        basic({ name: 'mallory', secret: OPERATOR.secret }),
        bearer({ secret: 'not-the-secret' }),
        { authorization: `Basic ${Buffer.from(OPERATOR.secret).toString('base64')}` },
      ]) {
        expect((await fetch(`${board.url}/api/collections`, { headers })).status).toBe(401);
      }
    });
  });

  describe('roles', () => {
    it('a viewer reads the page, Bull Board and the API, by basic auth or bearer', async () => {
      for (const headers of [basic(VIEWER), bearer(VIEWER)]) {
        const res = await fetch(`${board.url}/api/collections`, { headers });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { collections: unknown[] }).collections).toHaveLength(
          REGISTRY.order.length,
        );
        expect((await fetch(`${board.url}/admin/queues`, { headers })).status).toBe(200);
        expect((await fetch(`${board.url}/`, { headers })).status).toBe(200);
      }
    });

    it('a viewer cannot change a mode (basic or bearer): 403 naming the role, and the mode stays', async () => {
      const own = { origin: new URL(board.url).origin };
      for (const headers of [{ ...basic(VIEWER), ...own }, bearer(VIEWER)]) {
        const res = await setMode('dual', headers);
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({ error: 'forbidden', role: 'viewer', needs: 'operator' });
      }
      expect(await modeOf('users')).toMatchObject({ mode: 'mongo', changes: [] });
    });

    it('a viewer cannot start a run or use Bull Board actions', async () => {
      const before = await runCount();
      const post = await fetch(`${board.url}/api/backfills`, { method: 'POST', headers: bearer(VIEWER) });
      expect(post.status).toBe(403);
      const retry = await fetch(`${board.url}/admin/queues/api/queues/backfill/retry/failed`, {
        method: 'PUT',
        headers: { ...basic(VIEWER), origin: new URL(board.url).origin },
      });
      expect(retry.status).toBe(403);
      expect(await runCount()).toBe(before);
    });

    it("an operator's mode change records the credential's name as the actor", async () => {
      const byBasic = await setMode('dual', { ...basic(OPERATOR), origin: new URL(board.url).origin });
      expect(byBasic.status).toBe(200);
      const byBearer = await setMode('mongo', bearer(OPERATOR));
      expect(byBearer.status).toBe(200);
      const { mode, changes } = await modeOf('users');
      expect(mode).toBe('mongo');
      expect(changes.map((c) => [c.to, c.actor])).toEqual([
        ['dual', OPERATOR.name],
        ['mongo', OPERATOR.name],
      ]);
      const rows = await deps.db.execute<{ actor: string }>(
        sql`SELECT actor FROM collection_mode_changes WHERE collection = 'users' ORDER BY id`,
      );
      expect(rows.rows.map((r) => r.actor)).toEqual([OPERATOR.name, OPERATOR.name]);
    });
  });

  describe('cross-site requests', () => {
    const form = (path: string, method: string, headers: Record<string, string>) =>
      fetch(`${board.url}${path}`, {
        method,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(OPERATOR), ...headers },
        body: 'mode=dual&collections=all',
      });

    it('a cross-site form post with the browser-sent basic auth is refused and changes nothing', async () => {
      const before = await runCount();
      const { changes } = await modeOf('users');
      for (const [path, method] of [
        ['/api/collections/users/mode', 'PUT'],
        ['/api/backfills', 'POST'],
        ['/admin/queues/api/queues/backfill/clean/completed', 'PUT'],
        ['/', 'POST'],
      ] as const) {
        for (const headers of <Record<string, string>[]>[
          { origin: 'http://evil.example' },
          { origin: 'null' },
          { origin: `https://${new URL(board.url).host}` }, // same host, other scheme
          { 'sec-fetch-site': 'cross-site' },
          {}, // neither header: a browser old enough to send none cannot be told apart
        ]) {
          const res = await form(path, method, headers);
          expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
          expect(await res.json()).toEqual({ error: 'cross-site request refused' });
        }
      }
      expect(await runCount()).toBe(before);
      expect((await modeOf('users')).changes).toEqual(changes);
    });

    it("the same post from the board's own origin passes the check", async () => {
      const own = await form('/api/backfills', 'POST', { origin: new URL(board.url).origin });
      // Past the gate, the API itself answers: it takes JSON only.
      expect(own.status).toBe(400);
      expect(((await own.json()) as { error: string }).error).toMatch(/JSON/);
      const fetchMetadata = await setMode('dual', { ...basic(OPERATOR), 'sec-fetch-site': 'same-origin' });
      expect(fetchMetadata.status).toBe(200);
      expect((await modeOf('users')).mode).toBe('dual');
    });

    it('a bearer token is exempt: browsers never attach one on their own', async () => {
      const res = await setMode('mongo', { ...bearer(OPERATOR), origin: 'http://evil.example' });
      expect(res.status).toBe(200);
      expect((await modeOf('users')).mode).toBe('mongo');
    });
  });

  describe('security headers', () => {
    const strict = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "object-src 'none'",
    ];

    it("the console and the API: a CSP without unsafe-inline, and helmet's other headers", async () => {
      for (const [path, headers] of [
        ['/', basic(VIEWER)],
        ['/', {}],
        ['/api/collections', bearer(VIEWER)],
        ['/api/collections', {}],
        ['/healthz', {}],
      ] as const) {
        const res = await fetch(`${board.url}${path}`, { headers });
        await res.arrayBuffer();
        const csp = res.headers.get('content-security-policy') ?? '';
        const directives = csp.split(';').map((d) => d.trim());
        // The console's page may tighten the board's policy (src/console sets its own), never loosen it.
        const expected = path === '/' && res.status === 200 ? strict.slice(0, 6) : strict;
        expect(directives, path).toEqual(expect.arrayContaining(expected));
        expect(csp).not.toContain('unsafe-inline');
        expect(csp).not.toContain('unsafe-eval');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('x-powered-by')).toBeNull();
      }
    });

    it('Bull Board: inline styles only (its UI needs them), scripts still from itself', async () => {
      const res = await fetch(`${board.url}/admin/queues`, { headers: basic(VIEWER) });
      const html = await res.text();
      // Its HTML runs no inline script: the only <script> without src is a JSON data block.
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
      expect(inline.every((attrs) => /type="application\/json"/.test(attrs ?? ''))).toBe(true);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self';");
      expect(csp).toMatch(/style-src 'self' 'unsafe-inline'/);
      expect(csp.replace(/style-src [^;]*/, '')).not.toContain('unsafe-inline');
    });
  });

  describe('where it listens', () => {
    const listen = async (config: Partial<Config>, host?: string) => {
      const started = await startBoard({ ...deps, config: { ...deps.config, ...config } }, 0, host);
      try {
        // Reachable on loopback either way; what differs is the address bound.
        expect((await fetch(`http://127.0.0.1:${started.port}/healthz`)).status).toBe(200);
        return started.host;
      } finally {
        await started.close();
      }
    };
    const builtIn: Partial<Config> = {
      BOARD_CREDENTIALS: undefined,
      BOARD_PASSWORD: CONFIG_DEFAULTS.BOARD_PASSWORD,
      API_TOKEN: CONFIG_DEFAULTS.API_TOKEN,
    };

    it('with the built-in credentials: loopback only', async () => {
      expect(await listen(builtIn)).toBe('127.0.0.1');
      // One default left is enough: it still lets a reader of the source in as operator.
      expect(await listen({ ...builtIn, BOARD_PASSWORD: 'a-real-password' })).toBe('127.0.0.1');
    });

    it('beyond loopback with BOARD_PUBLIC=1, or with real credentials', async () => {
      expect(await listen({ ...builtIn, BOARD_PUBLIC: true })).toBe('0.0.0.0');
      expect(await listen({})).toBe('0.0.0.0');
      expect(
        await listen({ ...builtIn, BOARD_PASSWORD: 'a-real-password', API_TOKEN: 'a-real-api-token' }),
      ).toBe('0.0.0.0');
    });

    it('an explicit host is kept, but a public one with built-in credentials is refused', async () => {
      expect(await listen(builtIn, '127.0.0.1')).toBe('127.0.0.1');
      await expect(listen(builtIn, '0.0.0.0')).rejects.toThrow(BoardExposureError);
      await expect(listen(builtIn, '0.0.0.0')).rejects.toThrow(/BOARD_CREDENTIALS.*BOARD_PUBLIC=1/);
      expect(await listen({ ...builtIn, BOARD_PUBLIC: true }, '0.0.0.0')).toBe('0.0.0.0');
    });
  });
});
