import { ObjectId } from 'bson';
import type pg from 'pg';
import { checkValueReferences } from '../../backfill/byValue.js';
import { linkDocuments } from '../../backfill/link.js';
import { prefetchReferences } from '../../backfill/references.js';
import { recordMappingNotes } from '../../backfill/sql/outcomes.js';
import { quoteIdent, rowsToJson, tableShape } from '../../backfill/sql/tableShape.js';
import { replaceChildren, upsertRows } from '../../backfill/sql/upsertRows.js';
import { versionOf } from '../../collections/mapping/timestamps.js';
import {
  isReject,
  type CollectionSpec,
  type LegacyDoc,
  type MappedDocument,
} from '../../collections/spec.js';
import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';
import { readStoredDocuments } from '../../reverse/readStored.js';
import { DomainRuleError, NotFoundError, type Id } from '../domain/common.js';

/*
 * The Drizzle repositories' writes, through the collection specs: a document is built as MongoDB would
 * hold it, mapped by the spec's own `map`, and written with the backfill's writers, so a pg-mode write
 * stores exactly what a forward sync of the same document would (test/support/roundTrip.ts checks it).
 */

/**
 * A new document (as MongoDB would hold it) mapped by its collection's own `spec.map`, with the context
 * the backfill gives it (references resolved in id_map, by-value references checked). A document that
 * does not map is refused: an unknown required parent is a NotFoundError, anything else a DomainRuleError.
 */
export async function mapNewDocument(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyId: LegacyId,
  doc: LegacyDoc,
): Promise<MappedDocument> {
  const ctx = await prefetchReferences(client, spec, [doc]);
  const result = (await checkValueReferences(client, spec, [doc])).get(doc) ?? spec.map(doc, ctx);
  if (!isReject(result)) return result;
  if (result.reject === 'orphan_reference' && result.field) {
    const parent = spec.references.find((r) => r.path === result.field)?.parent;
    const value = doc[result.field] as unknown;
    if (parent)
      throw new NotFoundError(parent, value instanceof ObjectId ? value.toHexString() : String(value));
  }
  throw new DomainRuleError(spec.collection, legacyId, result.message);
}

/**
 * Inserts a new document's mapped rows with the backfill's own writers (upsertRows, replaceChildren),
 * records its pending links and anomalies (recordMappingNotes) and runs its link passes (linkDocuments),
 * so the row is what the forward sync would have written for the same document. A row another unique
 * constraint refuses (a taken email) is a DomainRuleError. The caller holds the document's lock.
 */
export async function insertMappedDocument(
  client: pg.ClientBase,
  spec: CollectionSpec,
  identity: { legacyId: LegacyId; uuid: PgUuid },
  mapped: MappedDocument,
  version: Date | null,
): Promise<void> {
  const main = tableShape(spec.table);
  const { inserted } = await upsertRows(client, main, [
    {
      ...mapped.row,
      id: identity.uuid,
      legacyObjectId: identity.legacyId,
      sourceUpdatedAt: version,
      sourceReadAt: new Date(0),
    },
  ]);
  if (inserted.length === 0) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${main.quoted} WHERE legacy_object_id = $1`,
      [identity.legacyId],
    );
    throw new DomainRuleError(
      spec.collection,
      null,
      rows[0]!.n > 0 ? `${identity.legacyId} already exists` : 'a unique value is already taken',
    );
  }
  // The read-time guard's stamp: Postgres' exact clock (a JSON date would drop its microseconds).
  await client.query(`UPDATE ${main.quoted} SET source_read_at = clock_timestamp() WHERE id = $1`, [
    identity.uuid,
  ]);
  for (const [name, child] of Object.entries(spec.children ?? {})) {
    const shape = tableShape(child.table);
    const rows = (mapped.children?.[name] ?? []).map((row) => ({ ...row, [child.ownerKey]: identity.uuid }));
    await replaceChildren(client, shape, shape.columnOf.get(child.ownerKey)!, [], rows);
  }
  await recordMappingNotes(
    client,
    null,
    spec.collection,
    [{ legacyId: identity.legacyId, anomalies: mapped.anomalies ?? [], links: mapped.links ?? [] }],
    [],
  );
  await linkDocuments(client, spec.collection, [identity.legacyId]);
}

/**
 * Writes an existing document back after a change, as the backfill would write it: mapped again by
 * `spec.map` (references resolved as the sync resolves them), its main row rewritten
 * (rewriteDocumentRow), its child rows replaced (replaceChildren) and its mapping notes (anomalies,
 * pending links) replaced. The caller holds the document's lock and its row lock; `uuid` is its row.
 */
export async function rewriteMappedDocument(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyId: LegacyId,
  uuid: PgUuid,
  doc: LegacyDoc,
): Promise<void> {
  const context = await prefetchReferences(client, spec, [doc]);
  const mapped = spec.map(doc, context);
  if (isReject(mapped)) throw new DomainRuleError(spec.collection, legacyId, mapped.message);
  await rewriteDocumentRow(client, spec, legacyId, doc, mapped.row);
  for (const [name, child] of Object.entries(spec.children ?? {})) {
    const shape = tableShape(child.table);
    const rows = (mapped.children?.[name] ?? []).map((row) => ({ ...row, [child.ownerKey]: uuid }));
    await replaceChildren(client, shape, shape.columnOf.get(child.ownerKey)!, [uuid], rows);
  }
  await recordMappingNotes(
    client,
    null,
    spec.collection,
    [{ legacyId, anomalies: mapped.anomalies ?? [], links: mapped.links ?? [] }],
    [legacyId],
  );
}

/**
 * The row of a document as the backfill maps it. An unresolved required parent (`required`, e.g. the
 * entry's user) is a NotFoundError: Postgres cannot hold the row; any other refusal is a DomainRuleError.
 */
export async function mappedRow(
  client: pg.ClientBase,
  spec: CollectionSpec,
  doc: LegacyDoc,
  required: readonly { parent: string; legacyId: Id }[],
): Promise<Record<string, unknown>> {
  const ctx = await prefetchReferences(client, spec, [doc]);
  for (const { parent, legacyId } of required)
    if (ctx.resolve(parent, asLegacyId(legacyId)) === undefined) throw new NotFoundError(parent, legacyId);
  const result = spec.map(doc, ctx);
  if (isReject(result)) throw new DomainRuleError(spec.collection, String(doc._id), result.message);
  return result.row;
}

/** The engine's columns on top of a mapped row (as writeDocuments' mainRow, the guard stamp aside). */
function engineRow(row: Record<string, unknown>, doc: LegacyDoc): Record<string, unknown> {
  return { ...row, sourceUpdatedAt: versionOf(doc), sourceDeletedAt: null, rejectedAt: null };
}

/**
 * Inserts a new document's mapped row; `onConflict` (e.g. `ON CONFLICT <target> DO NOTHING`) may skip
 * it. `source_read_at` is Postgres' exact clock (guardStamp). True when the row went in.
 */
export async function insertDocumentRow(
  client: pg.ClientBase,
  spec: CollectionSpec,
  identity: { legacyId: LegacyId; uuid: PgUuid },
  doc: LegacyDoc,
  row: Record<string, unknown>,
  onConflict = '',
): Promise<boolean> {
  const shape = tableShape(spec.table);
  const { json, columns } = rowsToJson(shape, [
    { ...engineRow(row, doc), id: identity.uuid, legacyObjectId: identity.legacyId },
  ]);
  const list = columns.map(quoteIdent).join(', ');
  const { rowCount } = await client.query(
    `INSERT INTO ${shape.quoted} (${list}, source_read_at)
     SELECT ${list}, clock_timestamp() FROM json_populate_recordset(NULL::${shape.quoted}, $1::json)
     ${onConflict}`,
    [json],
  );
  return rowCount === 1;
}

/** Rewrites an existing document's row from its new mapped row (every mapped column). */
export async function rewriteDocumentRow(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyId: LegacyId,
  doc: LegacyDoc,
  row: Record<string, unknown>,
): Promise<void> {
  const shape = tableShape(spec.table);
  const { json, columns } = rowsToJson(shape, [engineRow(row, doc)]);
  const set = columns.map((c) => `${quoteIdent(c)} = i.${quoteIdent(c)}`).join(', ');
  const { rowCount } = await client.query(
    `UPDATE ${shape.quoted} AS t SET ${set}, source_read_at = clock_timestamp()
       FROM json_populate_recordset(NULL::${shape.quoted}, $1::json) AS i
      WHERE t.legacy_object_id = $2`,
    [json, legacyId],
  );
  if (rowCount !== 1) throw new Error(`${spec.collection} ${legacyId}: rewrite touched ${rowCount} rows`);
}

/** The live documents (as MongoDB would hold them) of some legacy ids, in that order. */
export async function readDocuments(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyIds: readonly LegacyId[],
): Promise<LegacyDoc[]> {
  if (!spec.unmap) throw new Error(`${spec.collection} has no reverse mapping (spec.unmap)`);
  const stored = await readStoredDocuments(client, spec, legacyIds);
  const out: LegacyDoc[] = [];
  for (const legacyId of legacyIds) {
    const one = stored.documents.get(legacyId);
    if (one && !one.tombstoned) out.push(spec.unmap(one, stored.legacyIdOf));
  }
  return out;
}

/** A document as Mongoose saves it: fields given as undefined are not stored. */
export function withoutUndefined(doc: LegacyDoc): LegacyDoc {
  return Object.fromEntries(Object.entries(doc).filter(([, value]) => value !== undefined)) as LegacyDoc;
}
