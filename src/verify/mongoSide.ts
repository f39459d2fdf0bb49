import { EJSON } from 'bson';
import type pg from 'pg';
import { checkValueReferences } from '../backfill/byValue.js';
import { prefetchReferences } from '../backfill/references.js';
import { tableShape } from '../backfill/sql/tableShape.js';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { REGISTRY } from '../collections/registry.js';
import {
  isReject,
  type CollectionSpec,
  type LegacyDoc,
  type PendingLink,
  type Reject,
} from '../collections/spec.js';
import type { LegacyId } from '../db/ids.js';
import { expectedUniqueFlags, type MappedRow } from './expectedFlags.js';
import { canonicalMain, canonicalChildRows, deferredColumns, type DocumentTuple } from './tuple.js';

/** The MongoDB side of a comparison: what each document maps to, or why it cannot. */
export interface MongoSide {
  /** legacy id → `_id`, for every document read (an unnameable `_id` under its Extended JSON text). */
  readonly idOf: Map<string, unknown>;
  readonly tuples: Map<string, DocumentTuple>;
  readonly failures: Map<string, Reject>;
}

/**
 * Maps documents exactly as a backfill chunk does (src/backfill/copyChunk.ts): references resolved with
 * one batched lookup per parent against rows that exist, by-value references checked by their column,
 * once-per-scope flags settled against the stored holders; then deferred links resolved the way the
 * link pass does (a parent with no row leaves the link out, as a dangling anomaly).
 */
export async function mapDocuments(
  client: pg.ClientBase,
  spec: CollectionSpec,
  docs: readonly LegacyDoc[],
): Promise<MongoSide> {
  const side: MongoSide = { idOf: new Map(), tuples: new Map(), failures: new Map() };
  const ctx = await prefetchReferences(client, spec, docs);
  const refusedByValue = await checkValueReferences(client, spec, docs);
  const mapped: (MappedRow & {
    doc: LegacyDoc;
    links: readonly PendingLink[];
    children: Record<string, readonly Record<string, unknown>[]>;
  })[] = [];
  for (const doc of docs) {
    let legacyId: LegacyId;
    try {
      legacyId = legacyIdOf(doc._id);
    } catch (error) {
      const name = EJSON.stringify(doc._id ?? null, { relaxed: false });
      side.idOf.set(name, doc._id);
      side.failures.set(name, { reject: 'invalid_type', field: '_id', message: (error as Error).message });
      continue;
    }
    side.idOf.set(legacyId, doc._id);
    const result = refusedByValue.get(doc) ?? spec.map(doc, ctx);
    if (isReject(result)) side.failures.set(legacyId, result);
    else
      mapped.push({
        legacyId,
        doc,
        row: result.row,
        links: result.links ?? [],
        children: { ...(result.children ?? {}) },
      });
  }
  const settled = await expectedUniqueFlags(client, spec, mapped);
  const linkable = await existingParents(
    client,
    mapped.flatMap((m) => m.links),
  );
  settled.forEach((one, i) => {
    const { links, children } = mapped[i]!;
    const main = canonicalMain(spec, one.row);
    for (const column of deferredColumns(spec)) {
      const link = links.find((l) => !l.junction && l.column === column && linkable.has(key(l)));
      main[column] = link ? link.parentLegacyId : null;
    }
    const tuple: DocumentTuple = { main, children: {} };
    for (const [name, child] of Object.entries(spec.children ?? {}))
      tuple.children[tableShape(child.table).name] = canonicalChildRows(
        child.table,
        child.ownerKey,
        children[name] ?? [],
      );
    for (const [name, junction] of Object.entries(spec.junctions ?? {}))
      tuple.children[tableShape(junction.table).name] = [
        ...new Set(
          links.filter((l) => l.junction === name && linkable.has(key(l))).map((l) => l.parentLegacyId),
        ),
      ].sort();
    side.tuples.set(one.legacyId, tuple);
  });
  return side;
}

const key = (link: PendingLink) => `${link.parent}\u0000${link.parentLegacyId}`;

/** Which link targets have a row (live or tombstoned: the link pass joins the parent table unfiltered). */
async function existingParents(client: pg.ClientBase, links: readonly PendingLink[]): Promise<Set<string>> {
  const byParent = new Map<string, Set<string>>();
  for (const link of links) {
    const ids = byParent.get(link.parent) ?? new Set<string>();
    ids.add(link.parentLegacyId);
    byParent.set(link.parent, ids);
  }
  const found = new Set<string>();
  for (const [parent, ids] of byParent) {
    const { rows } = await client.query<{ legacy_object_id: string }>(
      `SELECT legacy_object_id FROM ${tableShape(REGISTRY.get(parent).table).quoted}
        WHERE legacy_object_id = ANY($1::text[])`,
      [[...ids]],
    );
    for (const row of rows) found.add(`${parent}\u0000${row.legacy_object_id}`);
  }
  return found;
}
