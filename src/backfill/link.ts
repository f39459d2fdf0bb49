import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { quoteIdent, tableShape } from './sql/tableShape.js';

/**
 * The link pass: sets deferred foreign keys (self references, a cycle's back edge) from pending_links
 * once both the referencing and the referenced collection are copied. A parent that never appeared
 * leaves the FK NULL and becomes a `dangling_reference` anomaly (docs/data-policy.md).
 */
export async function applyLinks(
  client: pg.ClientBase,
  source: string,
  parent: string,
  runId: string | null,
): Promise<{ linked: number; dangling: number }> {
  const table = tableShape(REGISTRY.get(source).table).quoted;
  const parentTable = tableShape(REGISTRY.get(parent).table).quoted;
  const { rows: columns } = await client.query<{ column_name: string }>(
    `SELECT DISTINCT column_name FROM pending_links WHERE collection = $1 AND parent_collection = $2`,
    [source, parent],
  );
  let linked = 0;
  let dangling = 0;
  for (const { column_name } of columns) {
    const column = quoteIdent(column_name);
    const resolvedLinks = `
      SELECT p.legacy_object_id, p.parent_legacy_id, pt.id AS parent_id
        FROM pending_links p
        LEFT JOIN id_map m ON m.collection = p.parent_collection AND m.legacy_object_id = p.parent_legacy_id
        LEFT JOIN ${parentTable} pt ON pt.id = m.new_id
       WHERE p.collection = $1 AND p.parent_collection = $2 AND p.column_name = $3`;
    const set = await client.query(
      `WITH r AS (${resolvedLinks})
       UPDATE ${table} AS t SET ${column} = r.parent_id FROM r
        WHERE t.legacy_object_id = r.legacy_object_id AND t.${column} IS DISTINCT FROM r.parent_id`,
      [source, parent, column_name],
    );
    linked += set.rowCount ?? 0;
    const missing = await client.query(
      `WITH r AS (${resolvedLinks})
       INSERT INTO migration_anomalies (collection, legacy_object_id, code, field, message, run_id)
       SELECT $1, r.legacy_object_id, 'dangling_reference', $3,
              $3 || ' → ' || $2 || ' ' || r.parent_legacy_id || ' has no row; stored as NULL', $4::uuid
         FROM r WHERE r.parent_id IS NULL
       ON CONFLICT (collection, legacy_object_id, code, field) DO UPDATE SET run_id = EXCLUDED.run_id`,
      [source, parent, column_name, runId],
    );
    dangling += missing.rowCount ?? 0;
  }
  return { linked, dangling };
}
