import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, type RunningBoard } from '../../src/board/server.js';
import { RunConflictError, startBackfill } from '../../src/backfill/start.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * One run per collection at a time. No worker runs in this file: a run stays `running` (live) until the
 * test ends it in Postgres, which is all the check looks at.
 */
describe('a collection is copied by one run at a time', () => {
  let stack: TestStack;
  let board: RunningBoard;
  beforeAll(async () => {
    stack = await startTestStack();
    board = await startBoard(stack.deps, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await board?.close();
    await stack?.stop();
  });

  const end = (runId: string, status: 'completed' | 'failed') =>
    stack.pg.db.$client.query(`UPDATE backfill_runs SET status = $2, finished_at = now() WHERE id = $1`, [
      runId,
      status,
    ]);
  const runCount = async () =>
    (await stack.pg.db.$client.query<{ n: number }>(`SELECT count(*)::int AS n FROM backfill_runs`)).rows[0]!
      .n;

  it('of starts racing on one collection, exactly one wins; the others name it', async () => {
    const before = await runCount();
    const attempts = await Promise.allSettled(
      [['levelconfigs', 'users'], ['users'], ['users', 'addresses'], ['users']].map((collections) =>
        startBackfill(stack.deps, { collections }),
      ),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = won[0]!.value.runId;
    for (const lost of attempts.filter((a) => a.status === 'rejected')) {
      const error = lost.reason as unknown;
      expect(error).toBeInstanceOf(RunConflictError);
      expect((error as RunConflictError).runId).toBe(winner);
      expect((error as RunConflictError).conflicts).toContainEqual({ runId: winner, collection: 'users' });
      expect((error as Error).message).toContain(`backfill run ${winner} is still copying`);
    }
    expect(await runCount()).toBe(before + 1);
    await end(winner, 'failed');
  });

  it('a collection the live run has completed, or a run that ended, is free again', async () => {
    const { runId } = await startBackfill(stack.deps, { collections: ['levelconfigs', 'users'] });
    await stack.pg.db.$client.query(
      `UPDATE backfill_run_collections SET status = 'completed' WHERE run_id = $1 AND collection = 'levelconfigs'`,
      [runId],
    );
    const next = await startBackfill(stack.deps, { collections: ['levelconfigs'] });
    await expect(startBackfill(stack.deps, { collections: ['users'] })).rejects.toThrow(
      `backfill run ${runId} is still copying users`,
    );
    await end(runId, 'completed');
    await end(next.runId, 'completed');
    await startBackfill(stack.deps, { collections: ['users'] }).then(({ runId: id }) => end(id, 'failed'));
  });

  it('POST /api/backfills answers 409 naming the live run and the collection', async () => {
    const post = (body: unknown) =>
      fetch(`${board.url}/api/backfills`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.config.API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await post({ collections: ['categories'] });
    expect(first.status).toBe(202);
    const { runId } = (await first.json()) as { runId: string };
    const before = await runCount();

    const second = await post({ collections: ['categories', 'levelconfigs'] });
    expect(second.status).toBe(409);
    expect(await second.json()).toEqual({
      error: expect.stringContaining(`backfill run ${runId} is still copying categories`) as unknown,
      runId,
      conflicts: [{ runId, collection: 'categories' }],
      links: { run: `/api/backfills/${runId}` },
    });
    expect(await runCount()).toBe(before);
    await end(runId, 'completed');
    expect((await post({ collections: ['categories'] })).status).toBe(202);
  });
});
