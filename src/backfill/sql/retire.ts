import type pg from 'pg';
import type { LegacyId } from '../../db/ids.js';
import type { CollectionSpec } from '../../collections/spec.js';
import { quoteIdent, tableShape } from './tableShape.js';

/** Why a row stops standing for a live document: its document left MongoDB, or no longer maps. */
export type RetireReason = 'deleted' | 'rejected';

export interface RetireOutcome {
  /** Removed with their child rows: nothing else referenced them. */
  removed: LegacyId[];
  /** Kept, marked `source_deleted_at` / `rejected_at`: other rows still reference them. */
  tombstoned: LegacyId[];
  /** Left alone: a writer that began reading MongoDB after this one wrote them from a newer state. */
  newer: LegacyId[];
}

interface ForeignKey {
  table: string;
  column: string;
  referencedColumn: string;
}

const referencingKeysOf = new Map<string, Promise<ForeignKey[]>>();

/**
 * Every foreign key that points at the collection's main table from outside the document itself: a
 * document's own child rows and junction rows go with it, anything else (payments → users, a category's
 * children, a purchase request's junction row to this offer) is a reference that keeps the row alive.
 * Read once per process from the catalog, so a new FK in the schema is covered without a code change.
 */
function referencingKeys(client: pg.ClientBase, spec: CollectionSpec): Promise<ForeignKey[]> {
  const table = tableShape(spec.table).name;
  let keys = referencingKeysOf.get(table);
  if (!keys) {
    const own = new Set<string>();
    for (const child of Object.values(spec.children ?? {})) {
      const shape = tableShape(child.table);
      own.add(`${shape.name}.${shape.columnOf.get(child.ownerKey)}`);
    }
    for (const junction of Object.values(spec.junctions ?? {})) {
      const shape = tableShape(junction.table);
      own.add(`${shape.name}.${shape.columnOf.get(junction.ownerKey)}`);
    }
    keys = client
      .query<{ table: string; column: string; referenced_column: string; columns: number }>(
        `SELECT c.conrelid::regclass::text AS table, a.attname AS column, fa.attname AS referenced_column,
                array_length(c.conkey, 1) AS columns
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
          WHERE c.contype = 'f' AND c.confrelid = $1::regclass`,
        [quoteIdent(table)],
      )
      .then(({ rows }) => {
        if (rows.some((r) => r.columns !== 1))
          throw new Error(`${table}: multi-column foreign keys are not supported`);
        return rows
          .map((r) => ({
            table: r.table.replaceAll('"', ''),
            column: r.column,
            referencedColumn: r.referenced_column,
          }))
          .filter((fk) => !own.has(`${fk.table}.${fk.column}`));
      });
    keys.catch(() => referencingKeysOf.delete(table));
    referencingKeysOf.set(table, keys);
  }
  return keys;
}

/**
 * Retires the rows of documents that left MongoDB (`deleted`) or stopped mapping (`rejected`), so no
 * document is counted twice and no row outlives its document silently:
 * - a row nothing references is deleted, its child rows with it (ON DELETE CASCADE);
 * - a referenced row is never cascade-deleted: it is tombstoned, and its references stay intact;
 * - a row stamped after `readStartedAt` is left alone: a later reader wrote it from a newer state.
 * A removed row's notes (anomalies, pending links) go too; its id_map entry stays (plan §3: an id is
 * allocated once), so a document that comes back gets the same uuid.
 */
export async function retireRows(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyIds: readonly LegacyId[],
  reason: RetireReason,
  readStartedAt: Date,
): Promise<RetireOutcome> {
  const outcome: RetireOutcome = { removed: [], tombstoned: [], newer: [] };
  if (legacyIds.length === 0) return outcome;
  const main = tableShape(spec.table).quoted;
  const { rows } = await client.query<{ legacy_object_id: LegacyId; newer: boolean }>(
    `SELECT legacy_object_id, COALESCE(source_read_at > $2, false) AS newer
       FROM ${main} WHERE legacy_object_id = ANY($1::text[])`,
    [legacyIds, readStartedAt],
  );
  outcome.newer = rows.filter((r) => r.newer).map((r) => r.legacy_object_id);
  const candidates = rows.filter((r) => !r.newer).map((r) => r.legacy_object_id);
  if (candidates.length === 0) return outcome;

  const keys = await referencingKeys(client, spec);
  const referenced =
    keys.length === 0
      ? 'false'
      : keys
          .map(
            (fk) =>
              `EXISTS (SELECT 1 FROM ${quoteIdent(fk.table)} x WHERE x.${quoteIdent(fk.column)} = t.${quoteIdent(fk.referencedColumn)})`,
          )
          .join(' OR ');
  const removed = await client.query<{ legacy_object_id: LegacyId }>(
    `DELETE FROM ${main} t WHERE t.legacy_object_id = ANY($1::text[]) AND NOT (${referenced})
     RETURNING t.legacy_object_id`,
    [candidates],
  );
  outcome.removed = removed.rows.map((r) => r.legacy_object_id);
  const gone = new Set(outcome.removed);
  outcome.tombstoned = candidates.filter((id) => !gone.has(id));
  if (outcome.tombstoned.length > 0) {
    // A tombstone says why the row is not live; a document deleted after it was rejected is deleted.
    const mark =
      reason === 'deleted'
        ? `source_deleted_at = COALESCE(source_deleted_at, now()), rejected_at = NULL`
        : `rejected_at = COALESCE(rejected_at, now())`;
    await client.query(`UPDATE ${main} SET ${mark} WHERE legacy_object_id = ANY($1::text[])`, [
      outcome.tombstoned,
    ]);
  }
  if (outcome.removed.length > 0) {
    for (const table of ['migration_anomalies', 'pending_links']) {
      await client.query(
        `DELETE FROM ${table} WHERE collection = $1 AND legacy_object_id = ANY($2::text[])`,
        [spec.collection, outcome.removed],
      );
    }
  }
  return outcome;
}
