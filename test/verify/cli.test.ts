import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { runCli } from '../support/cli.js';
import { deletePrefix } from '../support/queue.js';
import { startTestStack, type TestStack } from '../support/stack.js';

interface VerifyJson {
  runId: string;
  status: 'green' | 'red';
  collections: {
    name: string;
    status: 'green' | 'red';
    mismatches: { id: string; kind: string; columns: string[] }[];
    repaired: { id: string; kind: string; columns: string[] }[];
  }[];
}

/** `strangler verify` as a user runs it, against workers serving the verify queue in this process. */
describe('strangler verify', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 150, seed: 23, quirkRate: 0 });
    stack.startWorkers(3, { queues: ['backfill', 'verify'] });
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 100 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    env = {
      PG_URL: stack.config.PG_URL,
      MONGO_URL: stack.config.MONGO_URL,
      REDIS_URL: stack.config.REDIS_URL,
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
      VERIFY_LAG_MS: '50',
    };
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const verify = async (...args: string[]) => {
    const result = await runCli(['verify', '--json', '--range-size', '60', ...args], env, 120_000);
    const report = result.stdout ? (JSON.parse(result.stdout) as VerifyJson) : undefined;
    return { ...result, report };
  };
  const displayName = async (id: string) =>
    (
      await stack.pg.db.$client.query<{ name: string | null }>(
        `SELECT profile_display_name AS name FROM users WHERE legacy_object_id = $1`,
        [id],
      )
    ).rows[0]?.name;

  it('refuses an unknown collection in one line, before connecting', async () => {
    const result = await runCli(['verify', '--collections', 'users,nope'], {
      PG_URL: 'postgres://127.0.0.1:1/x',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--collections: unknown collection "nope"/);
  });

  it('is green after a backfill: exit 0 and the JSON contract', async () => {
    const { code, report, stderr } = await verify('--collections', 'all');
    expect(stderr).not.toMatch(/no worker/);
    expect(report?.collections.filter((c) => c.status !== 'green')).toEqual([]);
    expect(code).toBe(0);
    expect(report!.collections.map((c) => c.name)).toContain('users');
    for (const c of report!.collections) expect(c).toMatchObject({ status: 'green', mismatches: [] });
  });

  it('a tampered row: exit 1, the legacy id named with kind `changed`; --repair restores it', async () => {
    const { rows } = await stack.pg.db.$client.query<{ id: string; name: string | null }>(
      `SELECT legacy_object_id AS id, profile_display_name AS name FROM users
        WHERE source_deleted_at IS NULL ORDER BY legacy_object_id LIMIT 1 OFFSET 5`,
    );
    const { id, name } = rows[0]!;
    await stack.pg.db.$client.query(
      `UPDATE users SET profile_display_name = 'x' WHERE legacy_object_id = $1`,
      [id],
    );

    const red = await verify('--collections', 'users,levelconfigs');
    expect(red.code).toBe(1);
    expect(red.stderr).toMatch(/is red: users/);
    const users = red.report!.collections.find((c) => c.name === 'users')!;
    expect(users.status).toBe('red');
    expect(users.mismatches).toEqual([
      expect.objectContaining({ id, kind: 'changed', columns: ['profile_display_name'] }),
    ]);
    expect(red.report!.collections.find((c) => c.name === 'levelconfigs')!.status).toBe('green');

    const repaired = await verify('--collections', 'users', '--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.report!.collections[0]).toMatchObject({
      name: 'users',
      status: 'green',
      mismatches: [],
      repaired: [{ id, kind: 'changed', columns: ['profile_display_name'] }],
    });
    expect(await displayName(id)).toBe(name);

    const again = await verify('--collections', 'users');
    expect(again.code).toBe(0);
  });

  it("status --json carries each collection's last verification", async () => {
    const result = await runCli(['status', '--json'], env);
    expect(result.code).toBe(0);
    const { collections } = JSON.parse(result.stdout) as {
      collections: {
        name: string;
        lastVerification: { at: string; status: string; mismatches: number } | null;
      }[];
    };
    const users = collections.find((c) => c.name === 'users')!;
    expect(users.lastVerification).toMatchObject({ status: 'green', mismatches: 0 });
    expect(new Date(users.lastVerification!.at).getTime()).toBeGreaterThan(Date.now() - 600_000);
    expect(collections.find((c) => c.name === 'levelconfigs')!.lastVerification).not.toBeNull();
  });

  it('with no worker on the verify queue: says so, then gives up with exit 4 once nothing moves', async () => {
    const idle = `${env.QUEUE_PREFIX}-idle`;
    try {
      const result = await runCli(['verify', '--collections', 'levelconfigs', '--stuck-after', '1'], {
        ...env,
        QUEUE_PREFIX: idle,
      });
      expect(result.stderr).toMatch(/no worker of this deployment consumes the verify queue yet/);
      expect(result.stderr).toMatch(/is stuck: nothing moved/);
      expect(result.code).toBe(4);
    } finally {
      await deletePrefix(idle);
    }
  });
});
