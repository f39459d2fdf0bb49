import type pg from 'pg';
import type { CollectionMode } from '../modes/machine.js';

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
