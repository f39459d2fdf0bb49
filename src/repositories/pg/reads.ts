import type pg from 'pg';

/**
 * A read of one statement's worth of consistency (a row and the legacy ids of its foreign keys, which
 * never change): a pooled client, no transaction.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/**
 * A read of several statements on one snapshot (REPEATABLE READ, READ ONLY): a list and the rows it
 * names as of one instant, so no write transaction is ever seen half done (two primaries, or none).
 */
export async function inReadSnapshot<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
