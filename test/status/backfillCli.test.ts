import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startTestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { TEST_REDIS_URL } from '../support/env.js';

/**
 * `strangler backfill` as a user runs it. No worker runs here: the test plays the engine's part by
 * finishing the run in Postgres, so what is under test is the command (start, wait, summary, exit code).
 */
describe('strangler backfill', () => {
  let pgDb: TestDatabase;
  let mongo: Awaited<ReturnType<typeof startTestMongo>>;
  let env: Record<string, string>;
  const prefix = uniquePrefix('backfill-cli');

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    mongo = await startTestMongo();
    env = { PG_URL: pgDb.url, MONGO_URL: mongo.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
  });
  // No worker ever runs here, so every run a test starts stays running: end them, or the next test's
  // run on the same collection is refused (one run per collection at a time).
  afterEach(async () => {
    await pgDb.db.execute(
      sql`UPDATE backfill_runs SET status = 'failed', error = 'ended by the test' WHERE status = 'running'`,
    );
  });
  afterAll(async () => {
    await mongo?.stop();
    await pgDb?.drop();
    await deletePrefix(prefix);
  });

  it.each([
    [['--since', 'yesterday'], /^strangler: --since: "yesterday" is not an ISO 8601 date-time/],
    [['--since', '2024-05-01T00:00:00'], /^strangler: --since: .* with a zone/],
    [['--chunk-size', '5'], /^strangler: --chunk-size: must be an integer from 100 to 50000/],
    [
      ['--collections', 'users,nope'],
      /^strangler: --collections: unknown collection "nope" \(known: .*users/,
    ],
  ])('refuses %j in one line, before connecting to anything', async (args, message) => {
    // Unreachable services: validation must fail first, not a connection.
    const result = await runCli(['backfill', ...args], { PG_URL: 'postgres://127.0.0.1:1/x' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('prints the run id and returns without --wait', async () => {
    const result = await runCli(['backfill', '--collections', 'levelconfigs', '--chunk-size', '500'], env);
    expect(result.stderr).toMatch(/started/);
    // No worker runs in this file: the CLI says so instead of leaving --wait to look hung.
    expect(result.stderr).toMatch(/no worker of this deployment consumes the backfill queue yet/);
    expect(result.code).toBe(0);
    const runId = result.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const row = await pgDb.db.execute(
      sql`SELECT chunk_size, collections FROM backfill_runs WHERE id = ${runId}`,
    );
    expect(row.rows).toEqual([{ chunk_size: 500, collections: ['levelconfigs'] }]);
  });

  async function newestRun(after: Set<string>): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const { rows } = await pgDb.db.execute<{ id: string }>(sql`SELECT id FROM backfill_runs`);
      const fresh = rows.find((row) => !after.has(row.id));
      if (fresh) return fresh.id;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the command never created its run');
  }
  const existingRuns = async () =>
    new Set((await pgDb.db.execute<{ id: string }>(sql`SELECT id FROM backfill_runs`)).rows.map((r) => r.id));

  it('--wait follows the run to completion, prints a summary and exits 0', async () => {
    const before = await existingRuns();
    const pending = runCli(['backfill', '--collections', 'levelconfigs', '--wait'], env);
    const runId = await newestRun(before);
    await pgDb.db.execute(sql`
      UPDATE backfill_run_collections SET status = 'completed', chunks_planned = 0, started_at = now(), finished_at = now()
      WHERE run_id = ${runId}`);
    await pgDb.db.execute(
      sql`UPDATE backfill_runs SET status = 'completed', finished_at = now() WHERE id = ${runId}`,
    );
    const result = await pending;
    expect(result.code).toBe(0);
    const [idLine, ...summary] = result.stdout.trimEnd().split('\n');
    expect(idLine).toBe(runId);
    expect(summary[0]).toMatch(/^COLLECTION\s+STATUS\s+CHUNKS/);
    expect(summary[1]).toMatch(/^levelconfigs\s+completed/);
    // Not a terminal: plain progress lines, no cursor control codes.
    expect(result.stderr).toMatch(new RegExp(`backfill ${runId} (running|completed): \\d+/\\d+ chunks`));
    expect(result.stderr).not.toContain('\u001b[');
    expect(result.stderr).toContain(`backfill ${runId} completed`);
  });

  it('--wait exits 1 with the run error when the run fails', async () => {
    const before = await existingRuns();
    const pending = runCli(['backfill', '--collections', 'levelconfigs', '--wait'], env);
    const runId = await newestRun(before);
    await pgDb.db.execute(sql`
      UPDATE backfill_run_collections SET status = 'failed', error = 'chunk 3: connection reset' WHERE run_id = ${runId}`);
    await pgDb.db.execute(sql`
      UPDATE backfill_runs SET status = 'failed', error = 'levelconfigs failed', finished_at = now() WHERE id = ${runId}`);
    const result = await pending;
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/levelconfigs\s+failed.*chunk 3: connection reset/);
    expect(result.stderr).toMatch(new RegExp(`strangler: backfill ${runId} failed: levelconfigs failed`));
  });

  it('refuses a second run on a collection a live run is copying, naming that run', async () => {
    const first = await runCli(['backfill', '--collections', 'levelconfigs,users'], env);
    expect(first.code).toBe(0);
    const live = first.stdout.trim();
    const second = await runCli(['backfill', '--collections', 'users,addresses'], env);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(new RegExp(`^strangler: backfill run ${live} is still copying users\\b`));
    // A collection the live run does not copy is free.
    const other = await runCli(['backfill', '--collections', 'addresses'], env);
    expect(other.code).toBe(0);
    const { rows } = await pgDb.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM backfill_runs WHERE status = 'running'`,
    );
    expect(rows[0]!.n).toBe(2);
  });

  it('--wait reports a run that nothing can move any more as stuck, says what to do, exits 4', async () => {
    const before = await existingRuns();
    let exited = false;
    const pending = runCli(
      ['backfill', '--collections', 'levelconfigs', '--wait', '--stuck-after', '1'],
      env,
    ).finally(() => (exited = true));
    const runId = await newestRun(before);
    // Queued jobs and no worker yet: not stuck (a worker may start), however long nothing moves.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(exited).toBe(false);
    // Redis loses the run's jobs: now nothing can move it.
    await deletePrefix(prefix);
    const result = await pending;
    expect(result.code).toBe(4);
    expect(result.stdout.split('\n')[0]).toBe(runId);
    expect(result.stdout).toMatch(/^levelconfigs\s+queued/m);
    expect(result.stderr).toMatch(
      new RegExp(
        `strangler: backfill ${runId} is stuck: nothing moved for \\d+s and Redis holds no job of it`,
      ),
    );
    expect(result.stderr).toMatch(
      /start one with `strangler worker`: on start, workers rebuild the jobs of runs that cannot move/,
    );
  });
});
