import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';

/** One write transaction: its client (for raw SQL, locks, the shared readers) and Drizzle on it. */
export interface WriteTransaction {
  client: pg.PoolClient;
  db: NodePgDatabase;
}

/** SQLSTATEs after which the whole transaction may simply run again: nothing of it was committed. */
const RETRYABLE = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);
const ATTEMPTS = 3;

/**
 * Runs `fn` in ONE Postgres transaction (READ COMMITTED, the default) and returns its value once
 * committed. A deadlock or serialization failure (Postgres aborted the whole transaction, so nothing of
 * it is visible) is retried up to 3 times; every other error, a unique violation included, rolls back
 * and reaches the caller. `fn` must be safe to run again: the repositories' writes are (their
 * noteWrite calls are idempotent, and a new document's identity is allocated inside `fn`).
 */
export async function inWriteTransaction<T>(
  pool: pg.Pool,
  fn: (tx: WriteTransaction) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const value = await fn({ client, db: drizzle(client) });
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (attempt >= ATTEMPTS || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
    } finally {
      client.release();
    }
  }
}
