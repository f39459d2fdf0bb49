import type pg from 'pg';
import type { LegacyId, PgUuid } from '../../db/ids.js';

/** Allocates a uuid for each legacy id that has none yet (plan §3: once, never changed) and returns all. */
export async function allocateIds(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly LegacyId[],
): Promise<Map<LegacyId, PgUuid>> {
  if (legacyIds.length === 0) return new Map();
  const { rows } = await client.query<{ legacy_object_id: LegacyId; new_id: PgUuid }>(
    `INSERT INTO id_map (collection, legacy_object_id)
     SELECT $1, id FROM unnest($2::text[]) AS id
     ON CONFLICT (collection, legacy_object_id) DO NOTHING
     RETURNING legacy_object_id, new_id`,
    [collection, legacyIds],
  );
  const ids = new Map(rows.map((row) => [row.legacy_object_id, row.new_id]));
  // Only ids allocated before (a re-run, a sync of a known document) are looked up: a first load has none.
  const known = legacyIds.filter((id) => !ids.has(id));
  for (const [id, uuid] of await lookupIds(client, collection, known)) ids.set(id, uuid);
  return ids;
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
