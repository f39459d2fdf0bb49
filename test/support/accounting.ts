import type { Db as MongoDb } from 'mongodb';
import type { QueryResult, QueryResultRow } from 'pg';
import { REGISTRY } from '../../src/collections/registry.js';
import type { CollectionSpec } from '../../src/collections/spec.js';
import { tableShape } from '../../src/backfill/sql/tableShape.js';

/**
 * Accounting by ids, not counts (docs/data-policy.md: every source document ends migrated or rejected,
 * never both, never twice, never silently dropped). Counts hide a missing document behind a doubled
 * one; sets of legacy ids do not.
 */

/** A pg Pool or PoolClient: a tampering test passes the client of its rolled-back transaction. */
export interface Sql {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** How many offending ids a message names per kind. */
const SHOWN = 10;

/**
 * A source `_id` as `legacy_object_id`, restated from docs/data-policy.md rather than imported: 24
 * lower-case hex for an ObjectId, the string itself for a string `_id`.
 */
export function legacyIdText(id: unknown): string {
  if (typeof id === 'string' && id.length > 0) return id;
  if (id !== null && typeof id === 'object' && (id as { _bsontype?: unknown })._bsontype === 'ObjectId')
    return (id as { toHexString(): string }).toHexString().toLowerCase();
  throw new Error(`an _id that has no legacy id: ${String(id)}`);
}

/**
 * The tombstone columns a main table carries: `source_deleted_at` (the document left MongoDB) and
 * `rejected_at` (it no longer maps, but other rows still reference the row). Read from
 * information_schema so the helpers work on schemas from before and after those columns.
 */
export async function tombstoneColumns(sql: Sql, table: string): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1
        AND column_name IN ('source_deleted_at', 'rejected_at') ORDER BY 1`,
    [table],
  );
  return rows.map((r) => r.name);
}

/** SQL that is true for a tombstoned row (`false` when the table has no tombstone column). */
const tombstonedSql = (columns: readonly string[]) =>
  columns.length === 0 ? 'false' : columns.map((c) => `${c} IS NOT NULL`).join(' OR ');

/** `WHERE …` keeping the rows whose document exists and migrated: all rows, or the untombstoned ones. */
export async function liveRowsWhere(sql: Sql, spec: CollectionSpec): Promise<string> {
  const columns = await tombstoneColumns(sql, tableShape(spec.table).name);
  return columns.length === 0 ? '' : `WHERE NOT (${tombstonedSql(columns)})`;
}

/** One collection's ids on each side. */
export interface CollectionAccount {
  readonly collection: string;
  /** `_id`s of the source documents, as legacy ids. */
  readonly source: ReadonlySet<string>;
  /** legacy_object_id of the main-table rows whose document exists and maps (not tombstoned). */
  readonly migrated: ReadonlySet<string>;
  /** legacy_object_id of tombstoned rows (source_deleted_at or rejected_at set): not migrated, and allowed to outlive their document. */
  readonly tombstoned: ReadonlySet<string>;
  /** legacy ids of the open rejects (resolved_at IS NULL). */
  readonly rejected: ReadonlySet<string>;
  /** legacy ids with two or more main rows, or two or more open rejects. */
  readonly doubled: ReadonlySet<string>;
}

export async function readAccount(
  source: MongoDb,
  sql: Sql,
  spec: CollectionSpec,
): Promise<CollectionAccount> {
  const { name, quoted } = tableShape(spec.table);
  const tombstones = await tombstoneColumns(sql, name);
  const sourceIds = new Set<string>();
  for await (const doc of source.collection(spec.collection).find({}, { projection: { _id: 1 } }))
    sourceIds.add(legacyIdText(doc._id));
  const rows = await sql.query<{ id: string; n: number; tombstoned: boolean }>(
    `SELECT legacy_object_id AS id, count(*)::int AS n,
            bool_and(${tombstonedSql(tombstones)}) AS tombstoned
       FROM ${quoted} GROUP BY 1`,
  );
  const rejects = await sql.query<{ id: string; n: number }>(
    `SELECT legacy_object_id AS id, count(*)::int AS n FROM migration_rejects
      WHERE collection = $1 AND resolved_at IS NULL GROUP BY 1`,
    [spec.collection],
  );
  return {
    collection: spec.collection,
    source: sourceIds,
    migrated: new Set(rows.rows.filter((r) => !r.tombstoned).map((r) => r.id)),
    tombstoned: new Set(rows.rows.filter((r) => r.tombstoned).map((r) => r.id)),
    rejected: new Set(rejects.rows.map((r) => r.id)),
    doubled: new Set([...rows.rows, ...rejects.rows].filter((r) => r.n > 1).map((r) => r.id)),
  };
}

/** What is wrong with an account, per kind; empty when it balances. */
export function accountProblems(account: CollectionAccount): Record<string, string[]> {
  const { source, migrated, rejected, tombstoned } = account;
  const problems: Record<string, string[]> = {
    // In the source, but neither migrated nor rejected (a tombstone does not count: its document exists).
    missing: [...source].filter((id) => !migrated.has(id) && !rejected.has(id)),
    // Two rows, two open rejects, or a row and an open reject.
    doubled: [...new Set([...account.doubled, ...[...migrated].filter((id) => rejected.has(id))])],
    // Migrated or rejected without a source document; only tombstoned rows may outlive theirs.
    extra: [...new Set([...migrated, ...rejected])].filter((id) => !source.has(id) && !tombstoned.has(id)),
  };
  return Object.fromEntries(Object.entries(problems).filter(([, ids]) => ids.length > 0));
}

export function describeProblems(collection: string, problems: Record<string, string[]>): string {
  return Object.entries(problems)
    .map(([kind, ids]) => {
      const more = ids.length > SHOWN ? ` …and ${ids.length - SHOWN} more` : '';
      return `${collection}: ${ids.length} ${kind}: ${[...ids].sort().slice(0, SHOWN).join(', ')}${more}`;
    })
    .join('\n');
}

/**
 * Reads every collection's account and throws one error naming, per collection and kind, up to 10
 * offending ids: migrated ∩ rejected = ∅, migrated ∪ rejected = source, no legacy id twice, and no row
 * without its source document except tombstones.
 */
export async function expectAccountsBalance(
  source: MongoDb,
  sql: Sql,
  specs: readonly CollectionSpec[] = REGISTRY.specs,
): Promise<CollectionAccount[]> {
  const accounts = await Promise.all(specs.map((spec) => readAccount(source, sql, spec)));
  const failures = accounts
    .map((account) => describeProblems(account.collection, accountProblems(account)))
    .filter((text) => text !== '');
  if (failures.length > 0) throw new Error(`accounts do not balance:\n${failures.join('\n')}`);
  return accounts;
}
