import { createHash } from 'node:crypto';
import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { tableShape } from '../backfill/sql/tableShape.js';
import type { CollectionSpec } from '../collections/spec.js';
import { canonicalValue, valueKinds } from './canonical.js';

/**
 * What the mapping determines for one document, as comparable text, built the same way from a MongoDB
 * document (through the spec's mapper) and from the stored rows:
 *   main      SQL column → value; foreign keys in uuid space (both sides resolve through id_map), deferred
 *             link columns in legacy-id space (a pending link names its parent by legacy id);
 *   children  child or junction table → its rows as a sorted multiset (order is not the mapping's
 *             promise: readStored orders by `ordinal` where there is one, by id otherwise).
 */
export interface DocumentTuple {
  readonly main: Record<string, string | null>;
  readonly children: Record<string, string[]>;
}

/**
 * The engine's own stamps: written by whoever wrote the row, not by the mapping (writeDocuments mainRow).
 * `source_updated_at` is the write guard's version, re-derived from `updatedAt`, which the mapped
 * `updated_at` column already compares.
 */
const ENGINE_PROPS = new Set([
  'id',
  'legacyObjectId',
  'sourceUpdatedAt',
  'sourceReadAt',
  'sourceDeletedAt',
  'rejectedAt',
]);

/** The main-table properties the mapper determines: all but the engine's stamps and the link pass's columns. */
export function mappedMainProps(spec: CollectionSpec): string[] {
  const deferred = new Set(deferredColumns(spec));
  const shape = tableShape(spec.table);
  return Object.keys(getTableColumns(spec.table)).filter(
    (prop) => !ENGINE_PROPS.has(prop) && !deferred.has(shape.columnOf.get(prop)!),
  );
}

/** SQL columns of the main table that the link pass sets from pending links. */
export function deferredColumns(spec: CollectionSpec): string[] {
  return [...new Set(spec.references.flatMap((r) => (r.deferred && r.column ? [r.column] : [])))];
}

/** A child table's properties the mapper determines: not the owner (the engine adds it), not a serial key. */
export function mappedChildProps(table: PgTable, ownerKey: string): string[] {
  return Object.entries(getTableColumns(table))
    .filter(([prop, column]) => prop !== ownerKey && !(column.primary && column.hasDefault))
    .map(([prop]) => prop);
}

/** The main row's mapped columns as canonical text, keyed by SQL column; an absent property is NULL, as the upsert writes it. */
export function canonicalMain(
  spec: CollectionSpec,
  row: Readonly<Record<string, unknown>>,
): Record<string, string | null> {
  const kinds = valueKinds(spec.table);
  const shape = tableShape(spec.table);
  const out: Record<string, string | null> = {};
  for (const prop of mappedMainProps(spec))
    out[shape.columnOf.get(prop)!] = canonicalValue(row[prop], kinds.get(prop)!);
  return out;
}

/** Child rows as a sorted multiset of canonical texts. */
export function canonicalChildRows(
  table: PgTable,
  ownerKey: string,
  rows: readonly Readonly<Record<string, unknown>>[],
): string[] {
  const kinds = valueKinds(table);
  const props = mappedChildProps(table, ownerKey);
  return rows
    .map((row) => JSON.stringify(props.map((prop) => [prop, canonicalValue(row[prop], kinds.get(prop)!)])))
    .sort();
}

/** One line per document; the order of keys is fixed by the spec, so equal tuples give equal text. */
export function tupleText(tuple: DocumentTuple): string {
  const children = Object.keys(tuple.children)
    .sort()
    .map((name) => [name, tuple.children[name]]);
  return JSON.stringify([Object.entries(tuple.main).sort(([a], [b]) => (a < b ? -1 : 1)), children]);
}

/** The hash of one side: every document's legacy id and tuple, in legacy-id order. */
export function hashTuples(tuples: ReadonlyMap<string, DocumentTuple>): string {
  const hash = createHash('sha256');
  for (const id of [...tuples.keys()].sort()) hash.update(`${id}\t${tupleText(tuples.get(id)!)}\n`);
  return hash.digest('hex');
}
