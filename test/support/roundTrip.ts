import { EJSON } from 'bson';
import type pg from 'pg';
import { inTransaction } from '../../src/backfill/runState.js';
import { prefetchReferences } from '../../src/backfill/references.js';
import { tableShape } from '../../src/backfill/sql/tableShape.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { isReject, type LegacyDoc } from '../../src/collections/spec.js';
import type { LegacyId } from '../../src/db/ids.js';
import { readStoredDocuments } from '../../src/reverse/readStored.js';

/** Values as comparable text: exact numerics normalised, dates as ISO, objects as canonical EJSON. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) && value.includes('.'))
    return value.replace(/0+$/, '').replace(/\.$/, '');
  if (typeof value === 'object') return EJSON.stringify(value as object, { relaxed: false });
  return String(value);
}

/**
 * The reverse mapping's contract, checked from the outside for every live row of a collection: the
 * document `spec.unmap` builds from the stored rows maps (through the spec's own mapper) to exactly
 * those rows: the main row's mapped columns, the child rows in order, and the deferred links (columns
 * and junction rows). Returns one line per difference; [] when the round trip is exact. Also returns
 * the unmapped documents, so a test can compare them with MongoDB's.
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
    }
  });
  return { problems, documents };
}
