import type { Db as MongoDb, Document } from 'mongodb';
import type pg from 'pg';
import { valuesAt } from '../../backfill/references.js';
import { quoteIdent, tableShape } from '../../backfill/sql/tableShape.js';
import { legacyIdOf } from '../../collections/mapping/legacyId.js';
import { classifyReference } from '../../collections/mapping/references.js';
import { REGISTRY } from '../../collections/registry.js';
import type { CollectionSpec, ReferenceSpec } from '../../collections/spec.js';
import type { CountCutoff } from './cutoff.js';

/**
 * For each reference of the collection, how many documents (open rejects left out: they have no live
 * row) hold at least one resolvable value at its path: an id whose parent has a row (what the mapper
 * resolves, through id_map joined to the parent table), or for a by-value reference a value the parent
 * column holds. ONE scan of the collection reads every reference path (a scan per reference cost as
 * much as the whole range verification on collections with four of them).
 */
export async function documentsWithReferences(
  client: pg.ClientBase,
  mongo: MongoDb,
  spec: CollectionSpec,
  rejected: ReadonlySet<string>,
  cutoff: CountCutoff,
): Promise<Map<ReferenceSpec, number>> {
  const wanted = new Map<ReferenceSpec, string[][]>(spec.references.map((ref) => [ref, []]));
  const projection = Object.fromEntries(spec.references.map((ref) => [ref.path, 1]));
  const cursor = mongo.collection<Document>(spec.collection).find(cutoff.mongo, { projection });
  for await (const doc of cursor) {
    let legacyId: string;
    try {
      legacyId = legacyIdOf(doc._id);
    } catch {
      continue;
    }
    if (rejected.has(legacyId)) continue;
    for (const ref of spec.references) {
      const keys = valuesAt(doc, ref.path).flatMap((value): string[] => {
        if (ref.byValue) return value === null || value === undefined ? [] : [String(value)];
        // Strings taken as ids liberally, as the prefetch does: only a parent row makes one count.
        const found = classifyReference(value, { stringIds: true });
        return found.kind === 'id' ? [found.legacyId] : [];
      });
      if (keys.length > 0) wanted.get(ref)!.push(keys);
    }
  }
  const counts = new Map<ReferenceSpec, number>();
  for (const [ref, documents] of wanted) {
    const present = await presentInParent(client, ref, [...new Set(documents.flat())]);
    counts.set(ref, documents.filter((keys) => keys.some((k) => present.has(k))).length);
  }
  return counts;
}

async function presentInParent(
  client: pg.ClientBase,
  ref: ReferenceSpec,
  keys: readonly string[],
): Promise<Set<string>> {
  const column = ref.byValue ? quoteIdent(ref.byValue.column) : 'legacy_object_id';
  const table = tableShape(REGISTRY.get(ref.parent).table).quoted;
  const found = new Set<string>();
  const BATCH = 10_000;
  for (let i = 0; i < keys.length; i += BATCH) {
    const { rows } = await client.query<{ k: string }>(
      `SELECT ${column}::text AS k FROM ${table} WHERE ${column}::text = ANY($1::text[])`,
      [keys.slice(i, i + BATCH)],
    );
    for (const row of rows) found.add(row.k);
  }
  return found;
}
