import type pg from 'pg';
import type { LegacyId, PgUuid } from '../db/ids.js';
import { classifyReference } from '../collections/mapping/references.js';
import type { CollectionSpec, LegacyDoc, MapContext } from '../collections/spec.js';
import { REGISTRY } from '../collections/registry.js';
import { tableShape } from './sql/tableShape.js';

/** Values at a dotted path, descending through arrays the way Mongo paths do. */
export function valuesAt(doc: unknown, path: string): unknown[] {
  let current: unknown[] = [doc];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) {
        for (const element of value)
          if (element && typeof element === 'object') next.push((element as Record<string, unknown>)[key]);
      } else if (value && typeof value === 'object') next.push((value as Record<string, unknown>)[key]);
    }
    current = next;
  }
  return current.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

/**
 * Every legacy id a batch of documents references, per parent collection, through the references that
 * are resolved while mapping (not deferred, not by value). Strings are taken as ids liberally (a
 * superset): whether a string is acceptable is the mapper's policy, not the lookup's.
 */
export function referencedIds(spec: CollectionSpec, docs: readonly LegacyDoc[]): Map<string, Set<LegacyId>> {
  const wanted = new Map<string, Set<LegacyId>>();
  for (const ref of spec.references) {
    if (ref.deferred || ref.byValue) continue;
    const ids = wanted.get(ref.parent) ?? new Set<LegacyId>();
    wanted.set(ref.parent, ids);
    for (const doc of docs) {
      for (const value of valuesAt(doc, ref.path)) {
        const found = classifyReference(value, { stringIds: true });
        if (found.kind === 'id') ids.add(found.legacyId);
      }
    }
  }
  return wanted;
}

/**
 * The uuids of the parents among `legacyIds` that have a row in `parentTable` (tombstoned or not). An
 * id_map entry alone does not make a parent, since Postgres may have refused its row (plan §3 allocates
 * the id before the row is written); a child of a refused parent then follows the reference policy
 * (NULL + `dangling` + anomaly, or a reject for a required owner) instead of failing on the foreign key.
 * The parent's own row answers alone: its `id` is the id_map uuid (the engine writes no other), found
 * with one probe of its `legacy_object_id` index instead of a join through id_map.
 */
async function parentRowIds(
  client: pg.ClientBase,
  parentTable: string,
  legacyIds: readonly LegacyId[],
): Promise<Map<LegacyId, PgUuid>> {
  if (legacyIds.length === 0) return new Map();
  const { rows } = await client.query<{ legacy_object_id: LegacyId; id: PgUuid }>(
    `SELECT legacy_object_id, id FROM ${parentTable} WHERE legacy_object_id = ANY($1::text[])`,
    [legacyIds],
  );
  return new Map(rows.map((row) => [row.legacy_object_id, row.id]));
}

/**
 * Resolves every reference a chunk's documents make, with one query per parent collection (the
 * parent's table: only parents with a row resolve), before any document is mapped; the
 * mapper then answers from memory. Strings are looked up as ids
 * liberally (a superset): whether a string is acceptable is the mapper's policy, not the prefetch's.
 */
export async function prefetchReferences(
  client: pg.ClientBase,
  spec: CollectionSpec,
  docs: readonly LegacyDoc[],
): Promise<MapContext> {
  const resolved = new Map<string, Map<LegacyId, PgUuid>>();
  for (const [parent, ids] of referencedIds(spec, docs)) {
    const parentTable = tableShape(REGISTRY.get(parent).table).quoted;
    resolved.set(parent, await parentRowIds(client, parentTable, [...ids]));
  }
  return {
    resolve(parent, legacyId) {
      const forParent = resolved.get(parent);
      if (!forParent)
        throw new Error(`${spec.collection} resolves ${parent}, which its spec does not reference`);
      return forParent.get(legacyId);
    },
  };
}
