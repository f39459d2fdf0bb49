import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import type { JunctionSpec } from '../collections/spec.js';
import { junctionColumn } from './sql/outcomes.js';
import { quoteIdent, tableShape } from './sql/tableShape.js';

/**
 * The link pass: sets deferred foreign keys (self references, a cycle's back edge) from pending_links
 * once both the referencing and the referenced collection are copied, as a column of the main row or
 * as rows of a junction table. A parent that never appeared leaves the FK NULL (or the junction row
 * out) and becomes a `dangling_reference` anomaly (docs/data-policy.md).
 */
export async function applyLinks(
  client: pg.ClientBase,
  source: string,
  parent: string,
  runId: string | null,
  only?: LinkScope,
): Promise<{ linked: number; dangling: number }> {
  const spec = REGISTRY.get(source);
  const table = tableShape(spec.table).quoted;
  const parentTable = tableShape(REGISTRY.get(parent).table).quoted;
  // A scoped pass (one sync's documents) filters every statement on the same legacy ids, as the
  // last parameter of each: its position differs per statement, so the filter is built per statement.
  const scope = (position: number) =>
    only
      ? ` AND p.${only.side === 'source' ? 'legacy_object_id' : 'parent_legacy_id'} = ANY($${position}::text[])`
      : '';
  const scoped = (params: unknown[]) => (only ? [...params, only.legacyIds] : params);
  const { rows: columns } = await client.query<{ column_name: string }>(
    `SELECT DISTINCT column_name FROM pending_links p WHERE collection = $1 AND parent_collection = $2${scope(3)}`,
    scoped([source, parent]),
  );
  let linked = 0;
  let dangling = 0;
  for (const { column_name } of columns) {
    // Each pending link with the parent's row id, or NULL when that parent never made it to Postgres.
    const resolvedLinks = (position: number) => `
      SELECT p.legacy_object_id, p.parent_legacy_id, pt.id AS parent_id
        FROM pending_links p
        LEFT JOIN id_map m ON m.collection = p.parent_collection AND m.legacy_object_id = p.parent_legacy_id
        LEFT JOIN ${parentTable} pt ON pt.id = m.new_id
       WHERE p.collection = $1 AND p.parent_collection = $2 AND p.column_name = $3${scope(position)}`;
    const junctionName = Object.keys(spec.junctions ?? {}).find(
      (name) => junctionColumn(name) === column_name,
    );
    const set = junctionName
      ? await client.query(
          insertJunctionRows(resolvedLinks(4), table, spec.junctions![junctionName]!),
          scoped([source, parent, column_name]),
        )
      : await client.query(
          `WITH r AS (${resolvedLinks(4)})
           UPDATE ${table} AS t SET ${quoteIdent(column_name)} = r.parent_id FROM r
            WHERE t.legacy_object_id = r.legacy_object_id AND t.${quoteIdent(column_name)} IS DISTINCT FROM r.parent_id`,
          scoped([source, parent, column_name]),
        );
    linked += set.rowCount ?? 0;
    const missing = await client.query(
      `WITH r AS (${resolvedLinks(5)})
       INSERT INTO migration_anomalies (collection, legacy_object_id, code, field, message, run_id)
       SELECT $1, r.legacy_object_id, 'dangling_reference', $3,
              $3 || ' → ' || $2 || ' ' || string_agg(r.parent_legacy_id, ', ') || ' has no row; not linked', $4::uuid
         FROM r WHERE r.parent_id IS NULL GROUP BY r.legacy_object_id
       ON CONFLICT (collection, legacy_object_id, code, field) DO UPDATE
         SET run_id = EXCLUDED.run_id, message = EXCLUDED.message`,
      scoped([source, parent, column_name, runId]),
    );
    dangling += missing.rowCount ?? 0;
    // A parent that arrived since (a --since run, a retried reject, a restored document) settles the
    // anomaly recorded when it was missing: once every link of the field resolves, the anomaly goes.
    await client.query(
      `WITH r AS (${resolvedLinks(4)})
       DELETE FROM migration_anomalies a
        WHERE a.collection = $1 AND a.code = 'dangling_reference' AND a.field = $3
          AND a.legacy_object_id IN (SELECT legacy_object_id FROM r)
          AND NOT EXISTS (SELECT 1 FROM r WHERE r.legacy_object_id = a.legacy_object_id AND r.parent_id IS NULL)`,
      scoped([source, parent, column_name]),
    );
  }
  return { linked, dangling };
}

/** Restricts a link pass to the links of some documents, as the referencing side or as the parent. */
export interface LinkScope {
  side: 'source' | 'parent';
  legacyIds: readonly string[];
}

/**
 * The link passes of one sync's documents (src/sync/syncDocuments.ts): their own deferred links (the
 * write cleared them), and the deferred links of other documents that point at them (a parent that
 * just arrived). The same passes as a run's completion, restricted to these legacy ids, so a dual
 * write costs a few indexed statements, not a scan of the collection.
 */
export async function linkDocuments(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly string[],
): Promise<void> {
  if (legacyIds.length === 0) return;
  for (const source of REGISTRY.order) {
    for (const parent of REGISTRY.graph.deferredParents.get(source) ?? []) {
      if (source === collection)
        await applyLinks(client, source, parent, null, { side: 'source', legacyIds });
      if (parent === collection)
        await applyLinks(client, source, parent, null, { side: 'parent', legacyIds });
    }
  }
}

/**
 * Every link pass that touches `collection`, as the referencing side or as the parent, for writers
 * outside a run's completion (a retry of rejects): what they wrote is linked, and what links to it.
 */
export async function linkCollection(
  client: pg.ClientBase,
  collection: string,
  runId: string | null,
): Promise<void> {
  for (const source of REGISTRY.order) {
    for (const parent of REGISTRY.graph.deferredParents.get(source) ?? []) {
      if (source === collection || parent === collection) await applyLinks(client, source, parent, runId);
    }
  }
}

function insertJunctionRows(resolvedLinks: string, ownerTable: string, junction: JunctionSpec): string {
  const shape = tableShape(junction.table);
  const owner = quoteIdent(shape.columnOf.get(junction.ownerKey)!);
  const target = quoteIdent(shape.columnOf.get(junction.targetKey)!);
  return `WITH r AS (${resolvedLinks})
    INSERT INTO ${shape.quoted} (${owner}, ${target})
    SELECT o.id, r.parent_id FROM r JOIN ${ownerTable} o ON o.legacy_object_id = r.legacy_object_id
     WHERE r.parent_id IS NOT NULL
    ON CONFLICT DO NOTHING`;
}
