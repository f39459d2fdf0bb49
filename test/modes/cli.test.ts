import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeModeChange, renderModeReport } from '../../src/cli/commands/mode.js';
import { reportError } from '../../src/cli/errors.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { createDb } from '../../src/db/client.js';
import { ModeReader } from '../../src/modes/reader.js';
import { runCli } from '../support/cli.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { markCutoverReady, NO_CUTOVER_WAITS } from '../support/cutoverReady.js';

interface MoveJson {
  collection: string;
  from: string;
  to: string;
  changed: boolean;
  change: {
    id: number;
    from: string;
    to: string;
    actor: string;
    reason: string | null;
    forced: boolean;
  } | null;
}
interface ReportJson {
  to: string;
  moves: MoveJson[];
  stopped: { collection: string; kind: string; error: string; from?: string; to?: string } | null;
  notAttempted: string[];
}

describe('strangler mode', () => {
  let pgDb: TestDatabase;
  let mongo: TestMongo;
  let env: Record<string, string>;
  const prefix = uniquePrefix('modecli');

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    mongo = await startTestMongo();
    env = {
      PG_URL: pgDb.url,
      MONGO_URL: mongo.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ...NO_CUTOVER_WAITS,
    };
    // These tests are about how the CLI makes and records a move; the gates' own tests are elsewhere.
    await markCutoverReady(pgDb.db.$client, REGISTRY.order);
  });
  afterAll(async () => {
    await mongo?.stop();
    await pgDb?.drop();
    await deletePrefix(prefix);
  });

  it('refuses bad arguments with one line and exit code 2, before connecting', async () => {
    const cases: [string[], RegExp][] = [
      [['mode', 'nope', 'dual'], /^strangler: unknown collection "nope" \(known: levelconfigs, /],
      [
        ['mode', 'users', 'postgres'],
        /^strangler: unknown mode "postgres" \(choose from mongo, dual, pg, decommissioned\)/,
      ],
      [['mode', 'users', 'dual', '--force'], /^strangler: --force needs a --reason/],
      [['mode', 'users'], /^strangler: give the mode to move users to/],
      [['mode'], /^strangler: give <collection\|all> and <mode>, or --history/],
      [['mode', '--history', '--collection', 'nope'], /^strangler: --collection: unknown collection "nope"/],
    ];
    // A Postgres that does not exist: exit 2 proves nothing tried to connect.
    const offline = { ...env, PG_URL: 'postgres://postgres@127.0.0.1:1/none' };
    for (const [args, line] of cases) {
      const result = await runCli(args, offline);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(line);
    }
  });

  it('moves a collection, records the OS user or --actor, and notifies running readers', async () => {
    const db = createDb({ url: pgDb.url, max: 2 });
    const reader = new ModeReader({ db, redisUrl: TEST_REDIS_URL, prefix, ttlMs: 60_000 });
    try {
      await reader.whenSubscribed();
      expect(await reader.get('levelconfigs')).toBe('mongo');

      const text = await runCli(['mode', 'levelconfigs', 'dual', '--reason', 'pilot'], env);
      expect(text.stderr).toBe('');
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(
        new RegExp(`^levelconfigs: mongo → dual \\(change #\\d+ by ${userInfo().username}\\)\\n$`),
      );
      // The CLI published after its commit: a reader with a minute-long TTL sees it within a second.
      const deadline = Date.now() + 1_000;
      while ((await reader.get('levelconfigs')) !== 'dual' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await reader.get('levelconfigs')).toBe('dual');

      const json = await runCli(['mode', 'users', 'dual', '--actor', 'alice', '--json'], env);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as ReportJson;
      expect(report).toMatchObject({
        to: 'dual',
        moves: [
          {
            collection: 'users',
            from: 'mongo',
            to: 'dual',
            changed: true,
            change: { from: 'mongo', to: 'dual', actor: 'alice', reason: null, forced: false, gates: {} },
          },
        ],
        stopped: null,
        notAttempted: [],
      });

      const same = await runCli(['mode', 'users', 'dual'], env);
      expect(same.code).toBe(0);
      expect(same.stdout).toBe('users: already dual, nothing recorded\n');
    } finally {
      reader.close();
      await db.$client.end();
    }
  });

  it('refuses a skipped step with exit code 1, naming it, in text and JSON', async () => {
    const text = await runCli(['mode', 'addresses', 'pg'], env);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(
      'strangler: addresses: mongo → pg refused: forward moves go one step at a time (next is dual)\n',
    );
    const json = await runCli(['mode', 'addresses', 'pg', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      moves: [],
      stopped: { collection: 'addresses', kind: 'SkippedModeError', from: 'mongo', to: 'pg' },
    });
  });

  it('a red gate refuses the move with exit code 1 naming the gate and its value', async () => {
    const db = createDb({ url: pgDb.url, max: 2 });
    try {
      const { report } = await executeModeChange(
        db,
        { target: 'reviews', to: 'dual', actor: 'alice', reason: null, force: false },
        { gates: async () => [{ name: 'verification', ok: false, value: 7 }] },
      );
      const { stdout, error } = await renderModeReport(report, true);
      expect(reportError(error)).toEqual({
        line: 'reviews: mongo → dual refused: gate "verification" is red (value: 7)',
        exitCode: 1,
      });
      expect(JSON.parse(stdout)).toMatchObject({
        stopped: {
          collection: 'reviews',
          kind: 'GateRefusedError',
          gates: [{ name: 'verification', ok: false, value: 7 }],
        },
      });
    } finally {
      await db.$client.end();
    }
  });

  it('`mode all` moves back first (children first), then forward (parents first)', async () => {
    // levelconfigs and users are in dual now; put users in pg so that `all dual` moves it back.
    // Forced: its parent levelconfigs stays in dual, which the `parents` gate refuses.
    const setup = ['mode', 'users', 'pg', '--force', '--reason', 'test setup'];
    expect((await runCli(setup, env)).code).toBe(0);
    const result = await runCli(['mode', 'all', 'dual', '--json', '--actor', 'ops'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReportJson;
    expect(report.stopped).toBeNull();
    const moved = report.moves.filter((m) => m.changed);
    expect(moved[0]).toMatchObject({ collection: 'users', from: 'pg', to: 'dual' });
    expect(moved.slice(1).map((m) => m.collection)).toEqual(
      REGISTRY.order.filter((name) => name !== 'users' && name !== 'levelconfigs'),
    );
    expect(report.moves.filter((m) => !m.changed).map((m) => m.collection)).toEqual(['levelconfigs']);
  });

  it('`mode all` stops at the first refusal and names what moved', async () => {
    // Everything is in dual, so `all pg` is one step for each but configsettings, put back in mongo.
    expect((await runCli(['mode', 'configsettings', 'mongo', '--reason', 'drill'], env)).code).toBe(0);
    const result = await runCli(['mode', 'all', 'pg'], env);
    expect(result.stderr).toContain('configsettings');
    expect(result.code).toBe(1);
    const order = REGISTRY.order;
    const at = order.indexOf('configsettings');
    expect(result.stdout.trim().split('\n')).toHaveLength(at);
    expect(result.stderr).toBe(
      'strangler: configsettings: mongo → pg refused: forward moves go one step at a time (next is dual) ' +
        `(moved: ${order.slice(0, at).join(', ')}; not attempted: ${order.slice(at + 1).join(', ')})\n`,
    );
    // Back to a known state for the next tests.
    expect((await runCli(['mode', 'all', 'mongo'], env)).code).toBe(0);
  });

  it('`mode --history` lists the changes oldest first, as a table or JSON, filtered by collection', async () => {
    const json = await runCli(['mode', '--history', '--json', '--collection', 'users'], env);
    expect(json.code).toBe(0);
    const { changes } = JSON.parse(json.stdout) as { changes: Record<string, unknown>[] };
    expect(changes.map((c) => [c.from, c.to])).toEqual([
      ['mongo', 'dual'],
      ['dual', 'pg'],
      ['pg', 'dual'],
      ['dual', 'pg'],
      ['pg', 'mongo'],
    ]);
    expect(Object.keys(changes[0]!).sort()).toEqual(
      ['actor', 'changedAt', 'collection', 'forced', 'from', 'gates', 'id', 'reason', 'to'].sort(),
    );
    const limited = await runCli(['mode', '--history', '--json', '--limit', '2'], env);
    expect((JSON.parse(limited.stdout) as { changes: unknown[] }).changes).toHaveLength(2);

    const table = await runCli(['mode', '--history', '--collection', 'levelconfigs'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s*#\s+WHEN\s+COLLECTION\s+FROM\s+TO\s+ACTOR\s+FORCED\s+REASON$/);
    expect(lines[1]).toMatch(/levelconfigs\s+mongo\s+dual\s+\S+\s+pilot$/);
  });

  it('a change shows in `status --json`', async () => {
    expect((await runCli(['mode', 'payments', 'dual'], env)).code).toBe(0);
    const status = await runCli(['status', '--json'], env);
    expect(status.code).toBe(0);
    const { collections } = JSON.parse(status.stdout) as { collections: { name: string; mode: string }[] };
    expect(collections.find((c) => c.name === 'payments')?.mode).toBe('dual');
    expect(collections.find((c) => c.name === 'users')?.mode).toBe('mongo');
  });

  it('with Redis down, the change is still made; the warning says readers see it within their TTL', async () => {
    const result = await runCli(['mode', 'reviews', 'dual'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^reviews: mongo → dual/);
    expect(result.stderr).toMatch(
      /^warning: reviews is dual, but running processes were not notified \(.+\); they see it within their cache TTL\n$/,
    );
  });
});
