import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, type RunningBoard } from '../../src/board/server.js';
import { writeFallbackRecord } from '../../src/gaps/fallbackStore.js';
import { collectionStatuses } from '../../src/status/collections.js';
import { runCli } from '../support/cli.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestStack, type TestStack } from '../support/stack.js';

describe('gaps: visible in the API, /metrics and status', () => {
  let stack: TestStack;
  let board: RunningBoard;
  const api = (path: string) =>
    fetch(`${board.url}${path}`, { headers: { authorization: `Bearer ${stack.config.API_TOKEN}` } });

  beforeAll(async () => {
    stack = await startTestStack();
    board = await startBoard(stack.deps, 0, '127.0.0.1');
    await stack.pg.db.$client.query(`
      INSERT INTO pg_dualwrite_gaps (collection, legacy_object_id, id_json, op, direction, status, attempts, first_seen_at) VALUES
        ('users', 'u1', NULL, 'upsert', 'forward', 'open', 2, now() - interval '90 seconds'),
        ('users', 'u2', NULL, 'upsert', 'forward', 'open', 0, now() - interval '10 seconds'),
        ('users', 'u3', NULL, 'upsert', 'forward', 'dead', 10, now() - interval '1 day'),
        ('payments', 'p1', NULL, 'upsert', 'reverse', 'open', 0, now() - interval '5 seconds'),
        ('payments', 'p2', NULL, 'upsert', 'reverse', 'dead', 10, now() - interval '2 hours'),
        ('users', 'u4', NULL, 'delete', 'reverse', 'resolved', 1, now()),
        ('configsettings', 'c1', NULL, 'upsert', 'forward', 'resolved', 1, now()),
        ('configsettings', 'c2', NULL, 'delete', 'forward', 'resolved', 1, now()),
        ('configsettings', 'c3', NULL, 'upsert', 'forward', 'resolved', 3, now())`);
    await writeFallbackRecord(stack.deps.mongo, {
      collection: 'users',
      legacyId: 'u9',
      idJson: '"u9"',
      op: 'upsert',
      direction: 'forward',
      lastError: 'users u9: connect ECONNREFUSED',
    });
  });
  afterAll(async () => {
    await board?.close();
    await stack?.stop();
  });

  it('GET /api/gaps: open gaps as before, plus open/dead per collection and direction, and the oldest age', async () => {
    const res = await api('/api/gaps');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      total: number;
      gaps: { legacyId: string; status: string; direction: string }[];
    };
    expect(body.total).toBe(3);
    expect(body.gaps.map((g) => [g.legacyId, g.status, g.direction]).sort()).toEqual([
      ['p1', 'open', 'reverse'],
      ['u1', 'open', 'forward'],
      ['u2', 'open', 'forward'],
    ]);
    expect(body).toMatchObject({ open: 3, dead: 2, pendingInFallback: 1 });
    expect(body.oldestOpenAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(body.byCollection).toEqual([
      {
        collection: 'payments',
        direction: 'reverse',
        open: 1,
        dead: 1,
        oldestOpenAgeSeconds: expect.any(Number),
      },
      {
        collection: 'users',
        direction: 'forward',
        open: 2,
        dead: 1,
        oldestOpenAgeSeconds: expect.any(Number),
      },
    ]);

    // Forward and reverse apart: totals per direction, whatever the filters leave in the list.
    expect(body.byDirection).toEqual({
      forward: { open: 2, dead: 1, oldestOpenAgeSeconds: expect.any(Number) },
      reverse: { open: 1, dead: 1, oldestOpenAgeSeconds: expect.any(Number) },
    });
    const split = body.byDirection as Record<'forward' | 'reverse', { oldestOpenAgeSeconds: number }>;
    expect(split.forward.oldestOpenAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(split.reverse.oldestOpenAgeSeconds).toBeGreaterThanOrEqual(5);
    expect(split.reverse.oldestOpenAgeSeconds).toBeLessThan(90);

    const dead = (await (await api('/api/gaps?status=dead&direction=forward')).json()) as {
      total: number;
      gaps: unknown[];
    };
    expect(dead).toMatchObject({ total: 1, gaps: [{ legacyId: 'u3', status: 'dead', attempts: 10 }] });
    const reverse = (await (await api('/api/gaps?status=open,dead,resolved&direction=reverse')).json()) as {
      total: number;
      gaps: { legacyId: string; direction: string }[];
      open: number;
      dead: number;
      byCollection: { collection: string; direction: string }[];
      byDirection: Record<string, unknown>;
    };
    expect(reverse.gaps.map((g) => [g.legacyId, g.direction]).sort()).toEqual([
      ['p1', 'reverse'],
      ['p2', 'reverse'],
      ['u4', 'reverse'],
    ]);
    expect(reverse).toMatchObject({ total: 3, open: 1, dead: 1 });
    expect(reverse.byCollection.map((g) => [g.collection, g.direction])).toEqual([['payments', 'reverse']]);
    expect(reverse.byDirection).toEqual({
      forward: { open: 0, dead: 0, oldestOpenAgeSeconds: null },
      reverse: { open: 1, dead: 1, oldestOpenAgeSeconds: expect.any(Number) },
    });
    const sideways = await api('/api/gaps?direction=sideways');
    expect(sideways.status).toBe(400);
    expect(((await sideways.json()) as { fields: Record<string, unknown> }).fields).toHaveProperty(
      'direction',
    );
    const users = (await (await api('/api/gaps?status=open,dead&collection=users')).json()) as {
      total: number;
      byCollection: unknown[];
    };
    expect(users.total).toBe(3);
    expect(users.byCollection).toHaveLength(1);
    expect((await api('/api/gaps?status=stuck')).status).toBe(400);
    expect((await api('/api/gaps?limit=1001')).status).toBe(400);
  });

  it('strangler gaps: totals per direction in --json and in the text, and --direction', async () => {
    const env = {
      PG_URL: stack.config.PG_URL,
      MONGO_URL: stack.config.MONGO_URL,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
    };
    const json = await runCli(['gaps', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const body = JSON.parse(json.stdout) as Record<string, unknown>;
    // The top-level fields as before, the split beside them.
    expect(body).toMatchObject({ open: 3, dead: 2, pendingInFallback: 1 });
    expect(body.byDirection).toEqual({
      forward: { open: 2, dead: 1, oldestOpenAgeSeconds: expect.any(Number) },
      reverse: { open: 1, dead: 1, oldestOpenAgeSeconds: expect.any(Number) },
    });

    const onlyReverse = await runCli(['gaps', '--json', '--direction', 'reverse'], env);
    expect(onlyReverse.code, onlyReverse.stderr).toBe(0);
    const reverse = JSON.parse(onlyReverse.stdout) as {
      open: number;
      dead: number;
      gaps: { legacyId: string; direction: string }[];
      byDirection: Record<string, { open: number; dead: number }>;
    };
    expect(reverse).toMatchObject({ open: 1, dead: 1 });
    expect(reverse.gaps.map((g) => [g.legacyId, g.direction]).sort()).toEqual([
      ['p1', 'reverse'],
      ['p2', 'reverse'],
    ]);
    expect(reverse.byDirection.forward).toMatchObject({ open: 0, dead: 0 });

    const text = await runCli(['gaps'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/payments\s+reverse\s+1\s+1/);
    expect(text.stdout).toMatch(/users\s+forward\s+2\s+1/);
    expect(text.stderr).toMatch(/^forward: 2 open, 1 dead, oldest open 1m\d\ds$/m);
    expect(text.stderr).toMatch(/^reverse: 1 open, 1 dead, oldest open \d+s$/m);
    expect(text.stderr).toMatch(/^3 open, 2 dead gap\(s\)/m);

    const reverseText = await runCli(['gaps', '--direction', 'reverse'], env);
    expect(reverseText.code, reverseText.stderr).toBe(0);
    expect(reverseText.stdout).not.toMatch(/users\s+forward/);
    expect(reverseText.stderr).toMatch(/^reverse: 1 open, 1 dead/m);
    expect(reverseText.stderr).not.toMatch(/^forward:/m);

    const typo = await runCli(['gaps', '--direction', 'sideways'], env);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain('--direction must be forward or reverse');
    const widened = await runCli(['gaps', '--retry-dead', '--direction', 'reverse'], env);
    expect(widened.code).toBe(2);
    expect(widened.stderr).toContain('leave out --direction');
  }, 120_000);

  it('/metrics: open, dead and oldest age per collection and direction, drained total, fallback backlog', async () => {
    const text = await (await fetch(`${board.url}/metrics`)).text();
    expect(text).toContain('strangler_gaps_open{collection="users",direction="forward"} 2');
    expect(text).toContain('strangler_gaps_open{collection="payments",direction="reverse"} 1');
    expect(text).toContain('strangler_gaps_open{collection="levelconfigs",direction="forward"} 0');
    expect(text).toContain('strangler_gaps_dead{collection="users",direction="forward"} 1');
    const age = /strangler_gaps_oldest_open_age_seconds\{collection="users",direction="forward"\} (\d+)/.exec(
      text,
    );
    expect(Number(age?.[1])).toBeGreaterThanOrEqual(90);
    expect(text).toContain('# TYPE strangler_gaps_drained_total counter');
    expect(text).toContain('strangler_gaps_drained_total{collection="configsettings"} 3');
    expect(text).toContain('strangler_gaps_fallback_pending 1');
  });

  it('status: gapsOpen counts open gaps of both directions, never dead or resolved ones', async () => {
    const statuses = await collectionStatuses(stack.deps);
    const gapsOpen = (name: string) => statuses.find((s) => s.name === name)?.gapsOpen;
    expect(gapsOpen('users')).toBe(2);
    expect(gapsOpen('payments')).toBe(1);
    expect(gapsOpen('configsettings')).toBe(0);
  });
});
