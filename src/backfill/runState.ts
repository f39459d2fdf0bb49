import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { dependantsOf } from '../collections/graph.js';
import { applyLinks } from './link.js';
import { isRetryableAbort, pauseBeforeRetry, TRANSACTION_ATTEMPTS } from '../db/abortedTransaction.js';

/**
 * Named Postgres operations on a run's durable state (backfill_runs / backfill_run_collections).
 * Completion and failure take the run row's lock, so two collections finishing at once see each other.
 */

/**
 * Runs `fn` in one transaction. A deadlock or serialization failure (the whole transaction aborted,
 * nothing committed) runs it again, up to TRANSACTION_ATTEMPTS times: every caller's `fn` re-reads what
 * it writes (a chunk or a sync re-reads MongoDB), so running it twice is safe.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (attempt >= TRANSACTION_ATTEMPTS || !isRetryableAbort(error)) throw error;
    } finally {
      client.release();
    }
    await pauseBeforeRetry(attempt);
  }
}

async function lockRun(
  client: pg.ClientBase,
  runId: string,
): Promise<{ collections: string[]; status: string }> {
  const { rows } = await client.query<{ collections: string[]; status: string }>(
    `SELECT collections, status FROM backfill_runs WHERE id = $1 FOR UPDATE`,
    [runId],
  );
  if (!rows[0]) throw new Error(`backfill run ${runId} does not exist`);
  return rows[0];
}

/** Collections whose rows are in Postgres for this run's purposes: copied in it, or not part of it. */
async function copiedCollections(
  client: pg.ClientBase,
  runId: string,
  inRun: readonly string[],
): Promise<Set<string>> {
  const { rows } = await client.query<{ collection: string }>(
    `SELECT collection FROM backfill_run_collections WHERE run_id = $1 AND status IN ('linking', 'completed')`,
    [runId],
  );
  const copied = new Set(rows.map((r) => r.collection));
  for (const name of REGISTRY.order) if (!inRun.includes(name)) copied.add(name);
  return copied;
}

/**
 * A collection's chunks are all done: apply every deferred link whose both ends are now copied, mark it
 * completed, and return the dependants whose last parent this was (the caller promotes their jobs).
 */
export async function completeCollection(
  pool: pg.Pool,
  runId: string,
  collection: string,
): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    const { collections: inRun } = await lockRun(client, runId);
    await client.query(
      `UPDATE backfill_run_collections SET status = 'linking' WHERE run_id = $1 AND collection = $2`,
      [runId, collection],
    );
    const copied = await copiedCollections(client, runId, inRun);
    for (const source of REGISTRY.order) {
      for (const parent of REGISTRY.graph.deferredParents.get(source) ?? []) {
        const touches = source === collection || parent === collection;
        if (touches && copied.has(source) && copied.has(parent))
          await applyLinks(client, source, parent, runId);
      }
    }
    await REGISTRY.get(collection).finalize?.(client);
    // clock_timestamp(), not now(): now() is when this transaction began, before the link pass ran.
    await client.query(
      `UPDATE backfill_run_collections SET status = 'completed', finished_at = clock_timestamp()
        WHERE run_id = $1 AND collection = $2`,
      [runId, collection],
    );
    const dependants = dependantsOf(REGISTRY.graph, collection).filter((name) => inRun.includes(name));
    if (dependants.length === 0) return [];
    const { rows } = await client.query<{ collection: string; status: string }>(
      `UPDATE backfill_run_collections SET waiting_on = waiting_on - 1,
              status = CASE WHEN waiting_on = 1 AND status = 'parked' THEN 'queued'::backfill_collection_status ELSE status END
        WHERE run_id = $1 AND collection = ANY($2::text[])
        RETURNING collection, status`,
      [runId, dependants],
    );
    return rows.filter((r) => r.status === 'queued').map((r) => r.collection);
  });
}

/**
 * A collection failed for good: it, and every collection downstream of it, can't complete in this run.
 * Returns the blocked collections (the caller promotes their parked jobs so they fail visibly).
 * Idempotent, and called by whoever sees the failure first (the processor's last attempt, or a worker's
 * failure listener): the first error recorded stays, and a completed collection or run is never undone.
 */
export async function failCollection(
  pool: pg.Pool,
  runId: string,
  collection: string,
  error: string,
): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    const run = await lockRun(client, runId);
    if (run.status === 'completed') return [];
    await client.query(
      `UPDATE backfill_run_collections SET status = 'failed', error = $3, finished_at = clock_timestamp()
        WHERE run_id = $1 AND collection = $2 AND status NOT IN ('completed', 'failed')`,
      [runId, collection, error],
    );
    const { rows } = await client.query<{ status: string }>(
      `SELECT status FROM backfill_run_collections WHERE run_id = $1 AND collection = $2`,
      [runId, collection],
    );
    if (rows[0]?.status === 'completed') return [];
    const blocked = new Set<string>();
    const visit = (name: string) => {
      for (const child of dependantsOf(REGISTRY.graph, name)) {
        if (run.collections.includes(child) && !blocked.has(child)) {
          blocked.add(child);
          visit(child);
        }
      }
    };
    visit(collection);
    if (blocked.size > 0) {
      await client.query(
        `UPDATE backfill_run_collections SET status = 'blocked', error = $3
          WHERE run_id = $1 AND collection = ANY($2::text[]) AND status IN ('parked', 'queued')`,
        [runId, [...blocked], `blocked: ${collection} failed`],
      );
    }
    await client.query(
      `UPDATE backfill_runs SET status = 'failed', error = COALESCE(error, $2),
              finished_at = COALESCE(finished_at, now())
        WHERE id = $1`,
      [runId, `${collection}: ${error}`],
    );
    return [...blocked];
  });
}

/** The run itself failed (its root job, which has no collection): idempotent, first error kept. */
export async function failRun(pool: pg.Pool, runId: string, error: string): Promise<void> {
  const { rowCount } = await pool.query(
    `UPDATE backfill_runs SET status = 'failed', error = COALESCE(error, $2), finished_at = COALESCE(finished_at, now())
      WHERE id = $1 AND status <> 'completed'`,
    [runId, error],
  );
  if (rowCount === 0) {
    const { rows } = await pool.query(`SELECT 1 FROM backfill_runs WHERE id = $1`, [runId]);
    if (rows.length === 0) throw new Error(`backfill run ${runId} does not exist`);
  }
}

export async function completeRun(pool: pg.Pool, runId: string): Promise<void> {
  await pool.query(
    `UPDATE backfill_runs SET status = 'completed', finished_at = clock_timestamp()
      WHERE id = $1 AND status = 'running'
        AND NOT EXISTS (SELECT 1 FROM backfill_run_collections
                         WHERE run_id = $1 AND status <> 'completed')`,
    [runId],
  );
}
