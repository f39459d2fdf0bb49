import { REGISTRY } from '../../collections/registry.js';
import { modeRank, type CollectionMode } from '../machine.js';
import type { Gate } from './gate.js';
import type { GateQueryable } from './queryable.js';

/**
 * `parents`: every parent of the collection in the reference graph is already in `pg` or beyond. A child
 * in `pg` writes rows whose foreign keys point at its parents' rows, so Postgres must already be the
 * authority for them. Deferred references (a cycle's back edge, a self reference) are not counted, or
 * the two sides of a cycle could never move. The value names the parents still behind.
 */
export async function parentsGate(db: GateQueryable, collection: string): Promise<Gate> {
  const parents = [...(REGISTRY.graph.parents.get(collection) ?? [])];
  if (parents.length === 0) return { name: 'parents', ok: true, value: 'none' };
  const { rows } = await db.query<{ collection: string; mode: CollectionMode }>(
    `SELECT collection, mode FROM collection_modes WHERE collection = ANY($1::text[])`,
    [parents],
  );
  const modes = new Map(rows.map((row) => [row.collection, row.mode]));
  const behind = parents
    .filter((parent) => modeRank(modes.get(parent) ?? 'mongo') < modeRank('pg'))
    .map((parent) => `${parent}:${modes.get(parent) ?? 'mongo'}`);
  return {
    name: 'parents',
    ok: behind.length === 0,
    value: behind.length === 0 ? 'all in pg' : behind.join(', '),
  };
}
