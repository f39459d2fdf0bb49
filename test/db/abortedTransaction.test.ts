import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/backfill/runState.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** A promise with its resolver outside, so two transactions can wait for each other's first step. */
function signal(): { fired: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fired, fire };
}

describe('a transaction Postgres aborts to break a deadlock runs again', () => {
  let pg: TestDatabase;
  beforeAll(async () => {
    pg = await createTestDatabase();
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it('two transactions that lock two keys in opposite orders both commit, one of them on its second attempt', async () => {
    const pool = pg.db.$client;
    await pool.query('CREATE TABLE deadlock_probe (who text PRIMARY KEY, attempts int NOT NULL)');
    const holds = { a: signal(), b: signal() };
    const attempts = { a: 0, b: 0 };
    // Each takes its first lock, waits until the other holds its own, then asks for the other's: a
    // deadlock on the first attempt of both, every time. Postgres aborts one; without a retry it fails.
    const run = (me: 'a' | 'b', first: number, second: number) =>
      inTransaction(pool, async (client) => {
        attempts[me]++;
        await client.query('SELECT pg_advisory_xact_lock($1)', [first]);
        if (attempts[me] === 1) {
          holds[me].fire();
          await holds[me === 'a' ? 'b' : 'a'].fired;
        }
        await client.query('SELECT pg_advisory_xact_lock($1)', [second]);
        await client.query(
          `INSERT INTO deadlock_probe (who, attempts) VALUES ($1, $2)
           ON CONFLICT (who) DO UPDATE SET attempts = excluded.attempts`,
          [me, attempts[me]],
        );
      });
    await Promise.all([run('a', 71_001, 71_002), run('b', 71_002, 71_001)]);
    const { rows } = await pool.query<{ who: string; attempts: number }>(
      'SELECT who, attempts FROM deadlock_probe ORDER BY who',
    );
    // Both committed once, and exactly one needed a second attempt (the deadlock's victim).
    expect(rows.map((r) => r.who)).toEqual(['a', 'b']);
    expect(rows.map((r) => r.attempts).sort()).toEqual([1, 2]);
  });

  it('any other error reaches the caller at once, and nothing of the transaction stays', async () => {
    const pool = pg.db.$client;
    await pool.query('CREATE TABLE abort_probe (n int PRIMARY KEY)');
    let calls = 0;
    await expect(
      inTransaction(pool, async (client) => {
        calls++;
        await client.query('INSERT INTO abort_probe VALUES (1)');
        await client.query('INSERT INTO abort_probe VALUES (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM abort_probe');
    expect(rows[0].n).toBe(0);
  });
});
