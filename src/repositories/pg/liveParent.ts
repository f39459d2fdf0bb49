import type pg from 'pg';
import { tableShape } from '../../backfill/sql/tableShape.js';
import { REGISTRY } from '../../collections/registry.js';
import type { LegacyId, PgUuid } from '../../db/ids.js';

/**
 * The uuid of a parent document's live row (not tombstoned), found by its legacy id, or null. The row is
 * locked FOR KEY SHARE (what the foreign key check takes anyway), so it cannot be removed before this
 * transaction's insert, while the parent's own writers (FOR NO KEY UPDATE) are not held up.
 */
export async function liveParent(
  client: pg.ClientBase,
  parentCollection: string,
  legacyId: LegacyId,
): Promise<PgUuid | null> {
  const table = tableShape(REGISTRY.get(parentCollection).table).quoted;
  const { rows } = await client.query<{ id: PgUuid }>(
    `SELECT id FROM ${table}
      WHERE legacy_object_id = $1 AND source_deleted_at IS NULL AND rejected_at IS NULL
      FOR KEY SHARE`,
    [legacyId],
  );
  return rows[0]?.id ?? null;
}
