import type pg from 'pg';
import type { LegacyId, PgUuid } from '../../db/ids.js';

/** Allocates a uuid for each legacy id that has none yet (plan §3: once, never changed) and returns all. */
export async function allocateIds(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly LegacyId[],
): Promise<Map<LegacyId, PgUuid>> {
  if (legacyIds.length === 0) return new Map();
  await client.query(
    `INSERT INTO id_map (collection, legacy_object_id)
     SELECT $1, id FROM unnest($2::text[]) AS id
     ON CONFLICT (collection, legacy_object_id) DO NOTHING`,
    [collection, legacyIds],
  );
  return lookupIds(client, collection, legacyIds);
}

/** One batched lookup per parent collection, whatever the number of documents referencing it. */
export async function lookupIds(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly LegacyId[],
): Promise<Map<LegacyId, PgUuid>> {
  if (legacyIds.length === 0) return new Map();
  const { rows } = await client.query<{ legacy_object_id: LegacyId; new_id: PgUuid }>(
    `SELECT legacy_object_id, new_id FROM id_map WHERE collection = $1 AND legacy_object_id = ANY($2::text[])`,
    [collection, legacyIds],
  );
  return new Map(rows.map((row) => [row.legacy_object_id, row.new_id]));
}

/**
 * Like lookupIds, but only for parents that have a row in `parentTable` (tombstoned or not): an id_map
 * entry alone does not make a parent, since Postgres may have refused its row (plan §3 allocates the id
 * before the row is written). A child of a refused parent then follows the reference policy (NULL +
 * `dangling` + anomaly, or a reject for a required owner) instead of failing on the foreign key.
 */
export async function lookupLiveIds(
  client: pg.ClientBase,
  collection: string,
  parentTable: string,
  legacyIds: readonly LegacyId[],
): Promise<Map<LegacyId, PgUuid>> {
  if (legacyIds.length === 0) return new Map();
  const { rows } = await client.query<{ legacy_object_id: LegacyId; new_id: PgUuid }>(
    `SELECT m.legacy_object_id, m.new_id FROM id_map m JOIN ${parentTable} p ON p.id = m.new_id
      WHERE m.collection = $1 AND m.legacy_object_id = ANY($2::text[])`,
    [collection, legacyIds],
  );
  return new Map(rows.map((row) => [row.legacy_object_id, row.new_id]));
}
