import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { tableShape } from '../backfill/sql/tableShape.js';

export interface TargetTable {
  readonly collection: string;
  /** Quoted, schema-qualified when the table has a schema. */
  readonly quoted: string;
  readonly kind: 'main' | 'child';
}

/**
 * Every table a backfill fills with migrated data (each spec's main table, then its child tables), in
 * parents-first order so a COPY into an empty schema with its foreign keys never points forward.
 * Bookkeeping (id_map, runs, chunks, rejects) is not migrated data and is left out.
 */
export function targetTables(): TargetTable[] {
  const tables: TargetTable[] = REGISTRY.order.flatMap((collection) => {
    const spec = REGISTRY.get(collection);
    return [
      { collection, quoted: tableShape(spec.table).quoted, kind: 'main' as const },
      ...Object.values(spec.children ?? {}).map((child) => ({
        collection,
        quoted: tableShape(child.table).quoted,
        kind: 'child' as const,
      })),
    ];
  });
  // Junction rows (written by link passes) reference both ends, so they come after every main table.
  for (const collection of REGISTRY.order) {
    for (const junction of Object.values(REGISTRY.get(collection).junctions ?? {})) {
      tables.push({ collection, quoted: tableShape(junction.table).quoted, kind: 'child' });
    }
  }
  return tables;
}

export async function countRows(pool: pg.Pool, tables: readonly TargetTable[]): Promise<number> {
  let total = 0;
  for (const table of tables) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table.quoted}`);
    total += rows[0]?.n ?? 0;
  }
  return total;
}
