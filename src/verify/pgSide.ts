import type pg from 'pg';
import { tableShape } from '../backfill/sql/tableShape.js';
import type { CollectionSpec } from '../collections/spec.js';
import type { LegacyId, PgUuid } from '../db/ids.js';
import { readStoredDocuments, type StoredDocument } from '../reverse/readStored.js';
import { canonicalChildRows, canonicalMain, deferredColumns, type DocumentTuple } from './tuple.js';

/** The Postgres side of a comparison: every row (live or tombstone) of the asked legacy ids. */
export interface PgSide {
  readonly rows: Map<string, { tombstoned: boolean; tuple: DocumentTuple }>;
}

/**
 * Reads the stored rows with the reverse mapping's reader (src/reverse/readStored.ts) and puts them in
 * the tuple the mapper's output is put in: deferred FK columns and junction rows back in legacy-id space
 * (a uuid no row answers for shows as `uuid …`, so it can never equal a legacy id).
 */
export async function readRows(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyIds: readonly string[],
): Promise<PgSide> {
  const stored = await readStoredDocuments(client, spec, legacyIds as LegacyId[]);
  const shape = tableShape(spec.table);
  const propOf = new Map([...shape.columnOf].map(([prop, column]) => [column, prop]));
  const rows = new Map<string, { tombstoned: boolean; tuple: DocumentTuple }>();
  for (const [legacyId, one] of stored.documents) {
    const main = canonicalMain(spec, one.row);
    for (const column of deferredColumns(spec)) {
      const value = one.row[propOf.get(column)!] as PgUuid | null | undefined;
      main[column] = value == null ? null : (stored.legacyIdOf(value) ?? `uuid ${value}`);
    }
    rows.set(legacyId, { tombstoned: one.tombstoned, tuple: { main, children: childrenOf(spec, one) } });
  }
  return { rows };
}

function childrenOf(spec: CollectionSpec, one: StoredDocument): Record<string, string[]> {
  const children: Record<string, string[]> = {};
  for (const [name, child] of Object.entries(spec.children ?? {}))
    children[tableShape(child.table).name] = canonicalChildRows(
      child.table,
      child.ownerKey,
      one.children[name] ?? [],
    );
  for (const [name, junction] of Object.entries(spec.junctions ?? {}))
    children[tableShape(junction.table).name] = [...(one.junctions[name] ?? [])].sort();
  return children;
}
