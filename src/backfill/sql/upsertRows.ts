import type pg from 'pg';
import type { PgUuid } from '../../db/ids.js';
import { quoteIdent, rowsToJson, type TableShape } from './tableShape.js';

const ENGINE_KEYS = new Set(['id', 'legacy_object_id']);

/**
 * Bulk upsert of main-table rows keyed by `legacy_object_id`, with the version guard: a row is replaced
 * only when the incoming document is at least as new as the stored one, and only when something differs
 * (so a re-run writes nothing). Returns the ids of rows inserted or changed: only those get their child
 * rows replaced.
 */
export async function upsertRows(
  client: pg.ClientBase,
  shape: TableShape,
  rows: readonly Record<string, unknown>[],
): Promise<PgUuid[]> {
  if (rows.length === 0) return [];
  const { json, columns } = rowsToJson(shape, rows);
  const list = columns.map(quoteIdent).join(', ');
  const updatable = columns.filter((c) => !ENGINE_KEYS.has(c)).map(quoteIdent);
  const set = updatable.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  const current = updatable.map((c) => `t.${c}`).join(', ');
  const incoming = updatable.map((c) => `EXCLUDED.${c}`).join(', ');
  const { rows: changed } = await client.query<{ id: PgUuid }>(
    `INSERT INTO ${shape.quoted} AS t (${list})
     SELECT ${list} FROM json_populate_recordset(NULL::${shape.quoted}, $1::json)
     ON CONFLICT (legacy_object_id) DO UPDATE SET ${set}
     WHERE ROW(${current}) IS DISTINCT FROM ROW(${incoming})
       AND (t.source_updated_at IS NULL
            OR (EXCLUDED.source_updated_at IS NOT NULL AND EXCLUDED.source_updated_at >= t.source_updated_at))
     RETURNING t.id`,
    [json],
  );
  return changed.map((row) => row.id);
}

/** Replaces the child rows of the given owners wholesale: the source array is the truth. */
export async function replaceChildren(
  client: pg.ClientBase,
  shape: TableShape,
  ownerColumn: string,
  ownerIds: readonly PgUuid[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (ownerIds.length === 0) return;
  await client.query(`DELETE FROM ${shape.quoted} WHERE ${quoteIdent(ownerColumn)} = ANY($1::uuid[])`, [
    ownerIds,
  ]);
  if (rows.length === 0) return;
  const { json, columns } = rowsToJson(shape, rows);
  const list = columns.map(quoteIdent).join(', ');
  await client.query(
    `INSERT INTO ${shape.quoted} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${shape.quoted}, $1::json)`,
    [json],
  );
}
