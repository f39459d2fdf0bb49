import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/backfill/start.js';
import { startBoard, type RunningBoard } from '../../src/board/server.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** `POST /api/verifications`, `GET /api/verifications/:id` and the verification gauges of `/metrics`. */
describe('verifications API', () => {
  let stack: TestStack;
  let board: RunningBoard;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 100, seed: 31, quirkRate: 0 });
    stack.startWorkers(3, { queues: ['backfill', 'verify'] });
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 100 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    board = await startBoard(stack.deps, 0, '127.0.0.1');
  }, 180_000);
  afterAll(async () => {
    await board?.close();
    await stack?.stop();
  });

  const api = (path: string, init: RequestInit = {}, token: string | null = stack.config.API_TOKEN) =>
    fetch(`${board.url}${path}`, {
      ...init,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
  const post = (body: unknown, token?: string | null) =>
    api('/api/verifications', { method: 'POST', body: JSON.stringify(body) }, token);

  it.each([
    [{ collections: 5 }, 'collections'],
    [{ collections: [] }, 'collections'],
    [{ collections: ['users', 'nope'] }, 'collections'],
    [{ repair: 'yes' }, 'repair'],
    [{ lagMs: -1 }, 'lagMs'],
    [{ colections: ['users'] }, 'colections'],
  ])('400 naming the field for %j', async (body, field) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: Record<string, unknown> }).fields).toHaveProperty(field);
  });

  it('refuses a mutation without the bearer token', async () => {
    expect((await post({}, null)).status).toBe(401);
  });

  it('GET of an unknown or malformed run id: 404 / 400', async () => {
    expect((await api('/api/verifications/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api('/api/verifications/nope')).status).toBe(400);
  });

  it('POST starts a run on the workers; GET follows it to the same result the CLI prints', async () => {
    const res = await post({ collections: ['users', 'payments'], lagMs: 20 });
    expect(res.status).toBe(202);
    const { runId, collections, links } = (await res.json()) as {
      runId: string;
      collections: string[];
      links: { self: string };
    };
    expect(collections).toEqual(['users', 'payments']);
    let body: {
      status: string;
      collections: { name: string; status: string; mismatches: unknown[]; money: unknown }[];
    };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const got = await api(links.self);
      expect(got.status).toBe(200);
      body = (await got.json()) as typeof body;
      if (body.status !== 'running' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(body).toMatchObject({ runId, status: 'green', requestedBy: 'api', repair: false });
    expect(body.collections.map((c) => [c.name, c.status, c.mismatches])).toEqual([
      ['users', 'green', []],
      ['payments', 'green', []],
    ]);
    expect(body.collections.find((c) => c.name === 'payments')!.money).toMatchObject({ ok: true });

    // The same run read again is the same answer: the stored result, not a new comparison.
    expect(await (await api(links.self)).json()).toEqual(body);

    const metrics = await (await fetch(`${board.url}/metrics`)).text();
    expect(metrics).toMatch(/^strangler_verification_status\{collection="users"\} 1$/m);
    expect(metrics).toMatch(/^strangler_verification_mismatches\{collection="payments"\} 0$/m);
    expect(metrics).not.toMatch(/strangler_verification_status\{collection="reviews"\}/);
  });

  it('repair: true through the API heals a tampered row', async () => {
    const { rows } = await stack.pg.db.$client.query<{ id: string }>(
      `SELECT legacy_object_id AS id FROM users WHERE source_deleted_at IS NULL ORDER BY legacy_object_id LIMIT 1`,
    );
    const id = rows[0]!.id;
    await stack.pg.db.$client.query(
      `UPDATE users SET profile_display_name = 'x' WHERE legacy_object_id = $1`,
      [id],
    );
    const res = await post({ collections: ['users'], repair: true, lagMs: 20 });
    const { links } = (await res.json()) as { links: { self: string } };
    let body: { status: string; collections: { repaired: { id: string }[] }[] };
    for (let i = 0; i < 600; i++) {
      body = (await (await api(links.self)).json()) as typeof body;
      if (body.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(body!.status).toBe('green');
    expect(body!.collections[0]!.repaired.map((m) => m.id)).toEqual([id]);
    const metrics = await (await fetch(`${board.url}/metrics`)).text();
    expect(metrics).toMatch(/^strangler_verification_status\{collection="users"\} 1$/m);
  });
});
