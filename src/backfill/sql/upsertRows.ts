import type pg from 'pg';
import type { LegacyId, PgUuid } from '../../db/ids.js';
import { quoteIdent, rowsToJson, type TableShape } from './tableShape.js';

const ENGINE_KEYS = new Set(['id', 'legacy_object_id']);

export interface UpsertOutcome {
  /** New rows: their child rows are inserted, with nothing to delete first. */
  inserted: PgUuid[];
  /** Existing rows that changed: their child rows are replaced. Unchanged rows are in neither list. */
  updated: PgUuid[];
  /** New rows a unique constraint other than legacy_object_id refused (e.g. a second primary address). */
  refused: LegacyId[];
}

/**
 * Bulk upsert of main-table rows keyed by `legacy_object_id`, in ONE statement:
 * - new documents are inserted with ON CONFLICT DO NOTHING, so a row that another unique constraint
 *   refuses is skipped and reported instead of failing the whole batch;
 * - documents already present are updated under the version guard (the incoming document must be at
 *   least as new as the stored one) and only when something differs, so a re-run writes nothing.
 * Both CTEs see the snapshot from before the statement, so the UPDATE touches only pre-existing rows.
 */
export async function upsertRows(
  client: pg.ClientBase,
  shape: TableShape,
  rows: readonly Record<string, unknown>[],
): Promise<UpsertOutcome> {
  if (rows.length === 0) return { inserted: [], updated: [], refused: [] };
  const { json, columns } = rowsToJson(shape, rows);
  const list = columns.map(quoteIdent).join(', ');
  const updatable = columns.filter((c) => !ENGINE_KEYS.has(c)).map(quoteIdent);
  const set = updatable.map((c) => `${c} = i.${c}`).join(', ');
  const current = updatable.map((c) => `t.${c}`).join(', ');
  const incoming = updatable.map((c) => `i.${c}`).join(', ');
  const { rows: outcome } = await client.query<{ kind: 'inserted' | 'updated' | 'refused'; v: string }>(
    `WITH input AS (SELECT * FROM json_populate_recordset(NULL::${shape.quoted}, $1::json)),
     ins AS (
       INSERT INTO ${shape.quoted} (${list}) SELECT ${list} FROM input
       ON CONFLICT DO NOTHING RETURNING id, legacy_object_id),
     upd AS (
       UPDATE ${shape.quoted} AS t SET ${set} FROM input i
        WHERE t.legacy_object_id = i.legacy_object_id
          AND ROW(${current}) IS DISTINCT FROM ROW(${incoming})
          AND (t.source_updated_at IS NULL
               OR (i.source_updated_at IS NOT NULL AND i.source_updated_at >= t.source_updated_at))
       RETURNING t.id)
     SELECT 'inserted' AS kind, id::text AS v FROM ins
     UNION ALL SELECT 'updated', id::text FROM upd
     UNION ALL SELECT 'refused', i.legacy_object_id FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.legacy_object_id = i.legacy_object_id)
        AND NOT EXISTS (SELECT 1 FROM ${shape.quoted} t WHERE t.legacy_object_id = i.legacy_object_id)`,
    [json],
  );
  return {
    inserted: outcome.filter((o) => o.kind === 'inserted').map((o) => o.v as PgUuid),
    updated: outcome.filter((o) => o.kind === 'updated').map((o) => o.v as PgUuid),
    refused: outcome.filter((o) => o.kind === 'refused').map((o) => o.v as LegacyId),
  };
}

/**
 * Replaces child rows wholesale (the source array is the truth): deletes those of `updatedOwners`, then
 * inserts `rows`. New owners have nothing to delete, which is most of a first backfill.
 */
export async function replaceChildren(
  client: pg.ClientBase,
  shape: TableShape,
  ownerColumn: string,
  updatedOwners: readonly PgUuid[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (updatedOwners.length > 0) {
    await client.query(`DELETE FROM ${shape.quoted} WHERE ${quoteIdent(ownerColumn)} = ANY($1::uuid[])`, [
      updatedOwners,
    ]);
  }
  if (rows.length > 0) await insertRows(client, shape, rows);
}

/**
 * Inserts one row plainly (no ON CONFLICT) to learn which constraint refuses it; the caller wraps it in
 * a savepoint and rolls back. Returns the error Postgres raised, or null if it went in after all.
 */
export async function probeInsert(
  client: pg.ClientBase,
  shape: TableShape,
  row: Record<string, unknown>,
): Promise<unknown> {
  try {
    await insertRows(client, shape, [row]);
    return null;
  } catch (error) {
    return error;
  }
}

/** A plain multi-row INSERT from one JSON parameter, typed by the table itself. */
async function insertRows(
  client: pg.ClientBase,
  shape: TableShape,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const { json, columns } = rowsToJson(shape, rows);
  const list = columns.map(quoteIdent).join(', ');
  await client.query(
    `INSERT INTO ${shape.quoted} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${shape.quoted}, $1::json)`,
    [json],
  );
}
