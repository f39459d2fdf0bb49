import { ObjectId } from 'bson';
import type pg from 'pg';
import { checkValueReferences } from '../../backfill/byValue.js';
import { linkDocuments } from '../../backfill/link.js';
import { prefetchReferences } from '../../backfill/references.js';
import { recordMappingNotes } from '../../backfill/sql/outcomes.js';
import { quoteIdent, rowsToJson, tableShape } from '../../backfill/sql/tableShape.js';
import { replaceChildren } from '../../backfill/sql/upsertRows.js';
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
 * hold it, mapped by the spec's own `map`, and written by ONE insert (insertMappedDocument) or ONE
 * rewrite (rewriteMappedDocument) that writes what the backfill's writers would, so a pg-mode write
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
 * Inserts a new document as the forward sync would write it: its mapped main row, its child rows, its
 * pending links and anomalies (recordMappingNotes) and its link passes (linkDocuments). `onConflict`
 * (e.g. `ON CONFLICT <target> DO NOTHING`) names a clash the caller answers itself: the insert is then
 * skipped, nothing else written, and false returned. Without it, a row any unique constraint refuses (a
 * taken email) is a DomainRuleError. The caller holds the document's lock.
 */
export async function insertMappedDocument(
  client: pg.ClientBase,
  spec: CollectionSpec,
  identity: { legacyId: LegacyId; uuid: PgUuid },
  doc: LegacyDoc,
  mapped: MappedDocument,
  onConflict?: string,
): Promise<boolean> {
  const main = tableShape(spec.table);
  const { json, columns } = rowsToJson(main, [
    { ...engineRow(mapped.row, doc), id: identity.uuid, legacyObjectId: identity.legacyId },
  ]);
  const list = columns.map(quoteIdent).join(', ');
  // source_read_at: the read-time guard's stamp, Postgres' exact clock (a JSON date would drop its
  // microseconds).
  const { rowCount } = await client.query(
    `INSERT INTO ${main.quoted} (${list}, source_read_at)
     SELECT ${list}, clock_timestamp() FROM json_populate_recordset(NULL::${main.quoted}, $1::json)
     ${onConflict ?? 'ON CONFLICT DO NOTHING'}`,
    [json],
  );
  if (rowCount !== 1) {
    if (onConflict) return false;
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
  await writeDependents(client, spec, identity.legacyId, identity.uuid, mapped, false);
  return true;
}

/**
 * Writes an existing document back after a change, as the forward sync's update path would: its main
 * row rewritten from `mapped` (every mapped column; `source_read_at` Postgres' exact clock), its child
 * rows replaced, its deferred columns and junction rows cleared and re-derived by its link passes from
 * its new pending links, and its mapping notes replaced. `mapped` is the document as the caller mapped
 * it (e.g. mapNewDocument, for its refusals); by default mapDocument's. The caller holds the document's
 * lock.
 */
export async function rewriteMappedDocument(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyId: LegacyId,
  doc: LegacyDoc,
  mapped?: MappedDocument,
): Promise<void> {
  mapped ??= await mapDocument(client, spec, doc);
  const main = tableShape(spec.table);
  const { json, columns } = rowsToJson(main, [engineRow(mapped.row, doc)]);
  // Deferred columns are cleared with the row: the link pass (writeDependents) sets them again from the
  // document's pending links, so a reference removed from the document does not survive it.
  const deferred = deferredColumns(spec);
  const set = [
    ...columns.filter((c) => !deferred.includes(c)).map((c) => `${quoteIdent(c)} = i.${quoteIdent(c)}`),
    ...deferred.map((c) => `${quoteIdent(c)} = NULL`),
  ].join(', ');
  const { rows } = await client.query<{ id: PgUuid }>(
    `UPDATE ${main.quoted} AS t SET ${set}, source_read_at = clock_timestamp()
       FROM json_populate_recordset(NULL::${main.quoted}, $1::json) AS i
      WHERE t.legacy_object_id = $2
     RETURNING t.id`,
    [json, legacyId],
  );
  if (rows.length !== 1)
    throw new Error(`${spec.collection} ${legacyId}: rewrite touched ${rows.length} rows`);
  await writeDependents(client, spec, legacyId, rows[0]!.id, mapped, true);
}

/** The main-table columns the link pass sets (deferred single-valued references). */
function deferredColumns(spec: CollectionSpec): string[] {
  return spec.references.flatMap((ref) => (ref.deferred && ref.column ? [ref.column] : []));
}

/**
 * What the forward sync writes with a document's main row (writeDocuments, then its notes and link
 * passes). A document that was there before (`existing`) first loses its old child rows, junction rows
 * and notes (its deferred columns went with the row's rewrite): a reference removed from the document
 * must not survive the link pass.
 */
async function writeDependents(
  client: pg.ClientBase,
  spec: CollectionSpec,
  legacyId: LegacyId,
  uuid: PgUuid,
  mapped: MappedDocument,
  existing: boolean,
): Promise<void> {
  const owners = existing ? [uuid] : [];
  for (const [name, child] of Object.entries(spec.children ?? {})) {
    const shape = tableShape(child.table);
    const rows = (mapped.children?.[name] ?? []).map((row) => ({ ...row, [child.ownerKey]: uuid }));
    await replaceChildren(client, shape, shape.columnOf.get(child.ownerKey)!, owners, rows);
  }
  if (existing)
    for (const junction of Object.values(spec.junctions ?? {})) {
      const shape = tableShape(junction.table);
      await replaceChildren(client, shape, shape.columnOf.get(junction.ownerKey)!, owners, []);
    }
  await recordMappingNotes(
    client,
    null,
    spec.collection,
    [{ legacyId, anomalies: mapped.anomalies ?? [], links: mapped.links ?? [] }],
    existing ? [legacyId] : [],
  );
  await linkDocuments(client, spec.collection, [legacyId]);
}

/**
 * A document as the backfill maps it. An unresolved required parent (`required`, e.g. the entry's
 * user) is a NotFoundError: Postgres cannot hold the row; any other refusal is a DomainRuleError.
 */
export async function mapDocument(
  client: pg.ClientBase,
  spec: CollectionSpec,
  doc: LegacyDoc,
  required: readonly { parent: string; legacyId: Id }[] = [],
): Promise<MappedDocument> {
  const ctx = await prefetchReferences(client, spec, [doc]);
  for (const { parent, legacyId } of required)
    if (ctx.resolve(parent, asLegacyId(legacyId)) === undefined) throw new NotFoundError(parent, legacyId);
  const result = spec.map(doc, ctx);
  if (isReject(result)) throw new DomainRuleError(spec.collection, String(doc._id), result.message);
  return result;
}

/** The engine's columns on top of a mapped row (as writeDocuments' mainRow, the guard stamp aside). */
function engineRow(row: Record<string, unknown>, doc: LegacyDoc): Record<string, unknown> {
  return { ...row, sourceUpdatedAt: versionOf(doc), sourceDeletedAt: null, rejectedAt: null };
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
