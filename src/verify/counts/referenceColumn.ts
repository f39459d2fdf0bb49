import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { tableShape } from '../../backfill/sql/tableShape.js';
import { REGISTRY } from '../../collections/registry.js';
import type { CollectionSpec, ReferenceSpec } from '../../collections/spec.js';

/** Where Postgres keeps one reference of a spec: a main-table column, a child table's column, or a junction. */
export type ReferenceColumn =
  | { readonly where: 'main'; readonly column: string }
  | { readonly where: 'child'; readonly table: string; readonly owner: string; readonly column: string }
  | { readonly where: 'junction'; readonly table: string; readonly owner: string }
  | { readonly where: 'unknown'; readonly why: string };

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/\./g, '_');

/**
 * The column a reference lands in. A spec names it only for deferred references, so the others are
 * found from the schema: the foreign keys onto the parent's table, narrowed by the path's spelling
 * (`deliveryInfo.addressId` → `delivery_info_address_id`, `changedBy` → `changed_by_id`) when the
 * table holds more than one (payments has buyer and seller onto users).
 */
export function referenceColumn(spec: CollectionSpec, ref: ReferenceSpec): ReferenceColumn {
  if (ref.deferred && ref.column) return { where: 'main', column: ref.column };
  const parentTable = tableShape(REGISTRY.get(ref.parent).table).name;
  if (ref.deferred) {
    for (const junction of Object.values(spec.junctions ?? {})) {
      if (foreignKeys(junction.table, parentTable).length > 0)
        return {
          where: 'junction',
          table: tableShape(junction.table).quoted,
          owner: tableShape(junction.table).columnOf.get(junction.ownerKey)!,
        };
    }
    return { where: 'unknown', why: `no junction onto ${parentTable}` };
  }
  const last = ref.path.split('.').at(-1)!;
  const spellings = [snake(ref.path), `${snake(ref.path)}_id`, snake(last), `${snake(last)}_id`].map((s) =>
    s.replace(/_ids$/, '_id'),
  );
  const main = foreignKeys(spec.table, parentTable);
  const childHits = Object.values(spec.children ?? {}).flatMap((child) => {
    const shape = tableShape(child.table);
    const owner = shape.columnOf.get(child.ownerKey)!;
    return foreignKeys(child.table, parentTable)
      .filter((column) => column !== owner)
      .map((column) => ({ table: shape.quoted, owner, column }));
  });
  const mainExact = main.find((c) => spellings.includes(c));
  if (mainExact) return { where: 'main', column: mainExact };
  const childExact = childHits.find((c) => spellings.includes(c.column));
  if (childExact) return { where: 'child', ...childExact };
  const nested = ref.many || ref.path.includes('.');
  if (!nested && main.length === 1) return { where: 'main', column: main[0]! };
  const childLike =
    childHits.find((c) => c.column.endsWith(`${snake(last)}_id`)) ??
    (childHits.length === 1 ? childHits[0] : undefined);
  if (childLike) return { where: 'child', ...childLike };
  if (main.length === 1) return { where: 'main', column: main[0]! };
  return { where: 'unknown', why: `no foreign key onto ${parentTable} spelled like ${ref.path}` };
}

/** SQL names of a table's single-column foreign keys onto `target`. */
function foreignKeys(table: PgTable, target: string): string[] {
  const columnNames = new Set(Object.values(getTableColumns(table)).map((c) => c.name));
  return getTableConfig(table)
    .foreignKeys.map((fk) => fk.reference())
    .filter((r) => r.columns.length === 1 && tableShape(r.foreignTable).name === target)
    .map((r) => r.columns[0]!.name)
    .filter((name) => columnNames.has(name));
}
