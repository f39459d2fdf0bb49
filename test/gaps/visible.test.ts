import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, type RunningBoard } from '../../src/board/server.js';
import { writeFallbackRecord } from '../../src/gaps/fallbackStore.js';
import { collectionStatuses } from '../../src/status/collections.js';
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
    expect(body).toMatchObject({ open: 3, dead: 1, pendingInFallback: 1 });
    expect(body.oldestOpenAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(body.byCollection).toEqual([
      {
        collection: 'payments',
        direction: 'reverse',
        open: 1,
        dead: 0,
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

    const dead = (await (await api('/api/gaps?status=dead')).json()) as { total: number; gaps: unknown[] };
    expect(dead).toMatchObject({ total: 1, gaps: [{ legacyId: 'u3', status: 'dead', attempts: 10 }] });
    const users = (await (await api('/api/gaps?status=open,dead&collection=users')).json()) as {
      total: number;
      byCollection: unknown[];
    };
    expect(users.total).toBe(3);
    expect(users.byCollection).toHaveLength(1);
    expect((await api('/api/gaps?status=stuck')).status).toBe(400);
    expect((await api('/api/gaps?limit=1001')).status).toBe(400);
  });

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
