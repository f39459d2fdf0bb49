import type pg from 'pg';
import type { LegacyId, PgUuid } from '../../db/ids.js';
import { quoteIdent, rowsToJson, type TableShape } from './tableShape.js';

/** Never rewritten by an update: the row's identity. */
const ENGINE_KEYS = new Set(['id', 'legacy_object_id']);
/** Written with every update, but not a difference by itself: re-reading an unchanged document writes nothing. */
const STAMP_KEYS = new Set(['source_read_at']);

export interface UpsertOutcome {
  /** New rows: their child rows are inserted, with nothing to delete first. */
  inserted: PgUuid[];
  /** Existing rows that changed: their notes are re-recorded. Unchanged rows are in no list. */
  updated: PgUuid[];
  /** New rows a unique constraint other than legacy_object_id refused (e.g. a duplicate email). */
  refused: LegacyId[];
  /**
   * Existing rows stamped after this writer began reading MongoDB: a later reader (a sync, a newer chunk)
   * wrote them from a state at least as new, so this writer's copy is left out, child rows included.
   */
  stale: LegacyId[];
}

/**
 * Bulk upsert of main-table rows keyed by `legacy_object_id`, in ONE statement:
 * - new documents are inserted with ON CONFLICT DO NOTHING, so a row that another unique constraint
 *   refuses is skipped and reported instead of failing the whole batch;
 * - documents already present are updated under the read-time guard (docs/data-policy.md "Versions":
 *   the incoming `source_read_at` must not be older than the stored one) and only when something
 *   differs, so a re-run writes nothing.
 * Every CTE sees the snapshot from before the statement, so the UPDATE touches only pre-existing rows.
 */
export async function upsertRows(
  client: pg.ClientBase,
  shape: TableShape,
  rows: readonly Record<string, unknown>[],
): Promise<UpsertOutcome> {
  if (rows.length === 0) return { inserted: [], updated: [], refused: [], stale: [] };
  const { json, columns } = rowsToJson(shape, rows);
  const list = columns.map(quoteIdent).join(', ');
  const updatable = columns.filter((c) => !ENGINE_KEYS.has(c)).map(quoteIdent);
  const compared = columns.filter((c) => !ENGINE_KEYS.has(c) && !STAMP_KEYS.has(c)).map(quoteIdent);
  const set = updatable.map((c) => `${c} = i.${c}`).join(', ');
  const current = compared.map((c) => `t.${c}`).join(', ');
  const incoming = compared.map((c) => `i.${c}`).join(', ');
  const { rows: outcome } = await client.query<{ kind: keyof UpsertOutcome; v: string }>(
    `WITH input AS (SELECT * FROM json_populate_recordset(NULL::${shape.quoted}, $1::json)),
     ins AS (
       INSERT INTO ${shape.quoted} (${list}) SELECT ${list} FROM input
       ON CONFLICT DO NOTHING RETURNING id, legacy_object_id),
     upd AS (
       UPDATE ${shape.quoted} AS t SET ${set} FROM input i
        WHERE t.legacy_object_id = i.legacy_object_id
          AND ROW(${current}) IS DISTINCT FROM ROW(${incoming})
          AND NOT (t.source_read_at > i.source_read_at)
       RETURNING t.id)
     SELECT 'inserted' AS kind, id::text AS v FROM ins
     UNION ALL SELECT 'updated', id::text FROM upd
     UNION ALL SELECT 'refused', i.legacy_object_id FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.legacy_object_id = i.legacy_object_id)
        AND NOT EXISTS (SELECT 1 FROM ${shape.quoted} t WHERE t.legacy_object_id = i.legacy_object_id)
     UNION ALL SELECT 'stale', i.legacy_object_id FROM input i
       JOIN ${shape.quoted} t ON t.legacy_object_id = i.legacy_object_id
      WHERE t.source_read_at > i.source_read_at`,
    [json],
  );
  const of = (kind: keyof UpsertOutcome) => outcome.filter((o) => o.kind === kind).map((o) => o.v);
  return {
    inserted: of('inserted') as PgUuid[],
    updated: of('updated') as PgUuid[],
    refused: of('refused') as LegacyId[],
    stale: of('stale') as LegacyId[],
  };
}

/**
 * The owners among `owners` whose stored child rows differ from `rows` (compared as multisets over the
 * columns the mapping writes), so a child-only change (a passkey added, a timeline entry edited) is
 * seen even when the main row is identical, and an unchanged document costs one read, no write.
 */
export async function ownersWithDifferentChildren(
  client: pg.ClientBase,
  shape: TableShape,
  ownerColumn: string,
  owners: readonly PgUuid[],
  rows: readonly Record<string, unknown>[],
): Promise<Set<PgUuid>> {
  if (owners.length === 0) return new Set();
  const { json, columns } = rowsToJson(shape, rows);
  const owner = quoteIdent(ownerColumn);
  const compared = [...new Set([ownerColumn, ...columns])].map(quoteIdent).join(', ');
  const { rows: differing } = await client.query<{ owner: PgUuid }>(
    `WITH input AS (SELECT ${compared} FROM json_populate_recordset(NULL::${shape.quoted}, $1::json)),
     stored AS (SELECT ${compared} FROM ${shape.quoted} WHERE ${owner} = ANY($2::uuid[])),
     diff AS ((SELECT * FROM stored EXCEPT ALL SELECT * FROM input)
              UNION ALL (SELECT * FROM input EXCEPT ALL SELECT * FROM stored))
     SELECT DISTINCT ${owner}::text AS owner FROM diff`,
    [json, owners],
  );
  return new Set(differing.map((r) => r.owner));
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
