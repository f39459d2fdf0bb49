import { EJSON } from 'bson';
import type pg from 'pg';
import { inTransaction } from '../../src/backfill/runState.js';
import { prefetchReferences } from '../../src/backfill/references.js';
import { tableShape } from '../../src/backfill/sql/tableShape.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { isReject, type LegacyDoc } from '../../src/collections/spec.js';
import type { LegacyId } from '../../src/db/ids.js';
import { readStoredDocuments } from '../../src/reverse/readStored.js';

/** A plain object (jsonb, legacy_extra), not a Date, array or BSON value. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `value` with the keys of every plain object sorted, recursively: a jsonb value (and legacy_extra) is
 * the same JSON whatever order its keys come in (jsonb itself does not keep it), arrays keep theirs.
 */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys(value[key])]),
  );
}

/**
 * Values as comparable text: exact numerics normalised, dates as ISO, objects (jsonb, legacy_extra,
 * arrays) as canonical EJSON with their keys sorted.
 */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) && value.includes('.'))
    return value.replace(/0+$/, '').replace(/\.$/, '');
  if (typeof value === 'object') return EJSON.stringify(sortedKeys(value) as object, { relaxed: false });
  return String(value);
}

/**
 * The reverse mapping's contract, checked from the outside for every live row of a collection: the
 * document `spec.unmap` builds from the stored rows maps (through the spec's own mapper) to exactly
 * those rows: the main row's mapped columns (jsonb and legacy_extra with their keys sorted), the child
 * rows in order, and the deferred links both ways: junction rows, every link against its stored column,
 * and every stored non-NULL deferred FK column against the links (an unmap that drops such a reference
 * would have a rewrite clear the column). Returns one line per difference; [] when the round trip is
 * exact. Also returns the unmapped documents, so a test can compare them with MongoDB's.
 */
export async function roundTrip(
  pool: pg.Pool,
  collection: string,
): Promise<{ problems: string[]; documents: Map<LegacyId, LegacyDoc> }> {
  const spec = REGISTRY.get(collection);
  if (!spec.unmap) return { problems: [`${collection}: no unmap`], documents: new Map() };
  const unmap = spec.unmap;
  const table = tableShape(spec.table);
  const propOf = new Map([...table.columnOf].map(([prop, column]) => [column, prop]));
  /** The main-table columns the link pass sets (deferred single-valued references). */
  const deferredColumns = [
    ...new Set(spec.references.flatMap((r) => (r.deferred && r.column ? [r.column] : []))),
  ];
  const problems: string[] = [];
  const documents = new Map<LegacyId, LegacyDoc>();
  await inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
      `SELECT legacy_object_id FROM ${table.quoted} WHERE source_deleted_at IS NULL AND rejected_at IS NULL`,
    );
    const stored = await readStoredDocuments(
      client,
      spec,
      rows.map((r) => r.legacy_object_id),
    );
    for (const [legacyId, one] of stored.documents) documents.set(legacyId, unmap(one, stored.legacyIdOf));
    const ctx = await prefetchReferences(client, spec, [...documents.values()]);
    for (const [legacyId, doc] of documents) {
      const one = stored.documents.get(legacyId)!;
      const where = `${collection} ${legacyId}`;
      const result = spec.map(doc, ctx);
      if (isReject(result)) {
        problems.push(`${where}: the unmapped document is rejected: ${result.reject} ${result.message}`);
        continue;
      }
      for (const [prop, value] of Object.entries(result.row))
        if (canonical(value) !== canonical(one.row[prop]))
          problems.push(`${where}: ${prop} maps to ${canonical(value)}, stored ${canonical(one.row[prop])}`);
      for (const [name, child] of Object.entries(spec.children ?? {})) {
        const mapped = result.children?.[name] ?? [];
        const storedRows = one.children[name] ?? [];
        if (mapped.length !== storedRows.length) {
          problems.push(`${where}: ${name} maps to ${mapped.length} rows, stored ${storedRows.length}`);
          continue;
        }
        mapped.forEach((row, i) => {
          for (const [prop, value] of Object.entries(row)) {
            if (prop === child.ownerKey) continue;
            if (canonical(value) !== canonical(storedRows[i]![prop]))
              problems.push(
                `${where}: ${name}[${i}].${prop} maps to ${canonical(value)}, stored ${canonical(storedRows[i]![prop])}`,
              );
          }
        });
      }
      for (const [name] of Object.entries(spec.junctions ?? {})) {
        const linked = (result.links ?? [])
          .filter((l) => l.junction === name)
          .map((l) => l.parentLegacyId)
          .sort();
        const storedTargets = one.junctions[name] ?? [];
        if (canonical([...new Set(linked)]) !== canonical(storedTargets))
          problems.push(
            `${where}: junction ${name} maps to ${linked.join(',')}, stored ${storedTargets.join(',')}`,
          );
      }
      for (const link of result.links ?? []) {
        if (link.junction) continue;
        const prop = propOf.get(link.column)!;
        const storedTarget = stored.legacyIdOf(one.row[prop] as never);
        // A deferred link whose parent has no row stays NULL in Postgres (a dangling anomaly).
        if (storedTarget !== undefined && storedTarget !== link.parentLegacyId)
          problems.push(`${where}: ${link.column} maps to ${link.parentLegacyId}, stored ${storedTarget}`);
      }
      // The other way round: every deferred FK column Postgres holds must come from a link of the
      // unmapped document, or the unmap dropped the reference (and a rewrite would clear the column).
      for (const column of deferredColumns) {
        const prop = propOf.get(column)!;
        const value = one.row[prop];
        if (value === null || value === undefined) continue;
        const storedTarget = stored.legacyIdOf(value as never) ?? `uuid ${String(value)}`;
        const linked = (result.links ?? []).filter((l) => !l.junction && l.column === column);
        if (!linked.some((l) => l.parentLegacyId === storedTarget))
          problems.push(
            `${where}: ${column} stored ${storedTarget}, maps to ${linked.map((l) => l.parentLegacyId).join(',') || 'no link'}`,
          );
      }
    }
  });
  return { problems, documents };
}
