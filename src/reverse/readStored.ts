import { getTableColumns, inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { LegacyId, PgUuid } from '../db/ids.js';
import type { CollectionSpec } from '../collections/spec.js';
import type { StoredDocument } from '../collections/unmapping.js';
import { quoteIdent, tableShape } from '../backfill/sql/tableShape.js';

type Row = Record<string, unknown>;

export type { StoredDocument };

export interface StoredDocuments {
  documents: Map<LegacyId, StoredDocument>;
  /** The legacy id of the row a foreign key of these rows points at (every FK of them is resolved). */
  legacyIdOf(uuid: PgUuid | null | undefined): LegacyId | undefined;
}

/**
 * Reads what Postgres holds for some documents of one collection, in the shape a reverse mapping
 * (rows → document, beside each spec) needs: the rows as Drizzle types, and every foreign key's target
 * translated back to the legacy id MongoDB knows it by (one primary-key lookup per referenced table).
 * The one reader behind pg-mode reads, the MongoDB mirror and reverse gap drains.
 */
export async function readStoredDocuments(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyIds: readonly LegacyId[],
): Promise<StoredDocuments> {
  const db = drizzle(client as pg.PoolClient);
  const documents = new Map<LegacyId, StoredDocument>();
  const legacyIdByUuid = new Map<string, LegacyId>();
  const resolve = new ForeignKeys();
  if (legacyIds.length === 0) return { documents, legacyIdOf: () => undefined };

  const main = spec.table as PgTable & Record<string, never>;
  const mainColumns = getTableColumns(main);
  const rows = (await db
    .select()
    .from(main)
    .where(inArray(mainColumns.legacyObjectId!, [...legacyIds]))) as Row[];
  const legacyIdOfOwner = new Map<string, LegacyId>();
  for (const row of rows) {
    const legacyId = row.legacyObjectId as LegacyId;
    legacyIdOfOwner.set(row.id as string, legacyId);
    legacyIdByUuid.set(row.id as string, legacyId);
    documents.set(legacyId, {
      legacyId,
      row,
      children: {},
      junctions: {},
      tombstoned: row.sourceDeletedAt != null || row.rejectedAt != null,
    });
    resolve.collect(main, row);
  }
  const owners = [...legacyIdOfOwner.keys()];

  for (const [name, child] of Object.entries(spec.children ?? {})) {
    for (const document of documents.values()) document.children[name] = [];
    if (owners.length === 0) continue;
    const columns = getTableColumns(child.table);
    const order = columns.ordinal ?? columns.id;
    const childRows = (await db
      .select()
      .from(child.table)
      .where(inArray(columns[child.ownerKey]!, owners))
      .orderBy(...(order ? [order] : []))) as Row[];
    for (const childRow of childRows) {
      documents.get(legacyIdOfOwner.get(childRow[child.ownerKey] as string)!)!.children[name]!.push(childRow);
      resolve.collect(child.table, childRow, child.ownerKey);
    }
  }

  const targetsOf = new Map<string, { name: string; owner: string; target: string }[]>();
  for (const [name, junction] of Object.entries(spec.junctions ?? {})) {
    for (const document of documents.values()) document.junctions[name] = [];
    if (owners.length === 0) continue;
    const columns = getTableColumns(junction.table);
    const links = (await db
      .select()
      .from(junction.table)
      .where(inArray(columns[junction.ownerKey]!, owners))) as Row[];
    for (const link of links) {
      resolve.collect(junction.table, link, junction.ownerKey);
      const list = targetsOf.get(name) ?? [];
      list.push({
        name,
        owner: link[junction.ownerKey] as string,
        target: link[junction.targetKey] as string,
      });
      targetsOf.set(name, list);
    }
  }

  for (const [uuid, legacyId] of await resolve.lookup(client)) legacyIdByUuid.set(uuid, legacyId);
  for (const links of targetsOf.values()) {
    for (const { name, owner, target } of links) {
      const targetLegacyId = legacyIdByUuid.get(target);
      if (targetLegacyId) documents.get(legacyIdOfOwner.get(owner)!)!.junctions[name]!.push(targetLegacyId);
    }
  }
  for (const document of documents.values())
    for (const list of Object.values(document.junctions)) list.sort();
  return { documents, legacyIdOf: (uuid) => (uuid ? legacyIdByUuid.get(uuid) : undefined) };
}

/** The uuid foreign keys of rows read, grouped by the table they point at, then looked up at once. */
class ForeignKeys {
  readonly #byTable = new Map<string, Set<string>>();

  /** Notes every FK value of a row except `skip` (a child's owner, which is known already). */
  collect(table: PgTable, row: Row, skip?: string): void {
    for (const { property, target } of foreignKeysOf(table)) {
      if (property === skip) continue;
      const value = row[property];
      if (typeof value !== 'string') continue;
      let ids = this.#byTable.get(target);
      if (!ids) this.#byTable.set(target, (ids = new Set()));
      ids.add(value);
    }
  }

  async lookup(client: pg.ClientBase): Promise<Map<string, LegacyId>> {
    const found = new Map<string, LegacyId>();
    for (const [table, ids] of this.#byTable) {
      const { rows } = await client.query<{ id: string; legacy_object_id: LegacyId }>(
        `SELECT id, legacy_object_id FROM ${quoteIdent(table)} WHERE id = ANY($1::uuid[])`,
        [[...ids]],
      );
      for (const row of rows) found.set(row.id, row.legacy_object_id);
    }
    return found;
  }
}

const foreignKeyCache = new WeakMap<PgTable, { property: string; target: string }[]>();

/** A table's single-column foreign keys onto migrated tables: the property that holds it, and the target table. */
function foreignKeysOf(table: PgTable): { property: string; target: string }[] {
  let keys = foreignKeyCache.get(table);
  if (keys) return keys;
  const propertyOf = new Map(
    Object.entries(getTableColumns(table)).map(([prop, column]) => [column.name, prop]),
  );
  keys = [];
  for (const foreignKey of getTableConfig(table).foreignKeys) {
    const reference = foreignKey.reference();
    if (reference.columns.length !== 1) continue;
    const target = reference.foreignTable;
    if (!('legacyObjectId' in getTableColumns(target))) continue; // not a migrated main table
    keys.push({ property: propertyOf.get(reference.columns[0]!.name)!, target: tableShape(target).name });
  }
  foreignKeyCache.set(table, keys);
  return keys;
}
