import { AsyncLocalStorage } from 'node:async_hooks';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { isRetryableAbort, pauseBeforeRetry, TRANSACTION_ATTEMPTS } from '../../db/abortedTransaction.js';

/** One write transaction: its client (for raw SQL, locks, the shared readers) and Drizzle on it. */
export interface WriteTransaction {
  client: pg.PoolClient;
  db: NodePgDatabase;
}

/**
 * What runs around the COMMIT of every write transaction of one repository call, when a seam set one
 * (src/repositories/seam/pgFirst.ts mirrors into MongoDB this way).
 */
export interface CommitFollower {
  /** Inside the transaction, its writes done, just before COMMIT. A throw rolls the transaction back. */
  beforeCommit(client: pg.PoolClient): Promise<void>;
  /**
   * After COMMIT. From here the follower owns the client and calls `release` when it is done with it,
   * which may be after this resolves. Must not throw: the transaction is committed.
   */
  afterCommit(client: pg.PoolClient, release: (error?: Error) => void): Promise<void>;
  /**
   * After a ROLLBACK, before the client is released or the transaction retried. `commitFailed`: it was
   * the COMMIT that failed (a lost connection), so whether the transaction committed is unknown.
   */
  afterRollback(client: pg.PoolClient, commitFailed: boolean): Promise<void>;
}

const followers = new AsyncLocalStorage<CommitFollower>();

/** Runs `call` with `follower` around each write transaction it commits. */
export function withCommitFollower<T>(follower: CommitFollower, call: () => Promise<T>): Promise<T> {
  return followers.run(follower, call);
}

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
  const follower = followers.getStore();
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let value: T;
    let committing = false;
    try {
      await client.query('BEGIN');
      value = await fn({ client, db: drizzle(client) });
      await follower?.beforeCommit(client);
      committing = true;
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      await follower?.afterRollback(client, committing).catch(() => undefined);
      client.release();
      if (attempt >= TRANSACTION_ATTEMPTS || !isRetryableAbort(error)) throw error;
      await pauseBeforeRetry(attempt);
      continue;
    }
    if (follower) await follower.afterCommit(client, (releaseError) => client.release(releaseError));
    else client.release();
    return value;
  }
}
