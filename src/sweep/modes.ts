import type pg from 'pg';
import type { CollectionMode } from '../modes/machine.js';
import { DEFAULT_SETTLE_MS, routingMode } from '../modes/settle.js';
import { readModeStates } from '../modes/storage.js';

/**
 * The modes of every collection that has a mode row (or of one), as both sweeps read them: a
 * collection without a row is in `mongo`.
 */
export async function readModes(
  pool: pg.Pool | pg.ClientBase,
  collection?: string,
): Promise<Map<string, CollectionMode>> {
  const { rows } = await pool.query<{ collection: string; mode: CollectionMode }>(
    `SELECT collection, mode FROM collection_modes WHERE $1::text IS NULL OR collection = $1`,
    [collection ?? null],
  );
  return new Map(rows.map((r) => [r.collection, r.mode]));
}

export async function readMode(pool: pg.Pool | pg.ClientBase, collection: string): Promise<CollectionMode> {
  return (await readModes(pool, collection)).get(collection) ?? 'mongo';
}

/**
 * The mode the application's calls are ROUTED by now (src/modes/settle.ts), with the repositories'
 * default settle window: a mirror may replace MongoDB documents only while every process writes
 * Postgres first. Right after a move into `pg` the applications still write MongoDB first for the
 * settle window (and while forward gaps are open): a sweep mirroring then would replace documents under
 * their writes. (An application given another `settleMs` must keep it at or below this default.)
 */
export async function routedMode(pool: pg.Pool, collection: string): Promise<CollectionMode> {
  return routingMode((await readModeStates(pool, collection)).get(collection), DEFAULT_SETTLE_MS);
}
