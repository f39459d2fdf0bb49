import { EJSON, ObjectId } from 'bson';
import type { Db as MongoDb, Document, Filter } from 'mongodb';
import type pg from 'pg';
import type { LegacyId, PgUuid } from '../db/ids.js';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { versionOf } from '../collections/mapping/timestamps.js';
import {
  isReject,
  type CollectionSpec,
  type LegacyDoc,
  type MappedDocument,
  type Reject,
} from '../collections/spec.js';
import { prefetchReferences } from './references.js';
import { checkValueReferences } from './byValue.js';
import { rangeFilter, type IdRange } from './ranges.js';
import { allocateIds } from './sql/idMap.js';
import { recordMappingNotes, recordRejects, resolveRejects, type RejectRow } from './sql/outcomes.js';
import { probeInsert, replaceChildren, upsertRows } from './sql/upsertRows.js';
import { tableShape } from './sql/tableShape.js';
import { constraintReject, isConstraintError } from './constraintReject.js';

export interface ChunkCounts {
  read: number;
  written: number;
  rejected: number;
}

export interface ChunkTarget {
  runId: string | null;
  range: IdRange;
  /** Delta mode: only documents changed after this instant. */
  since: Date | null;
  /** Retry mode: only these documents of the range. */
  onlyIds?: readonly unknown[];
}

interface Mapped {
  legacyId: LegacyId;
  doc: LegacyDoc;
  result: MappedDocument;
}

/** `updatedAt` after `since`, or, for documents without one, an ObjectId minted after `since`. */
export function deltaFilter(since: Date): Filter<Document> {
  const minted = ObjectId.createFromTime(Math.floor(since.getTime() / 1000));
  return {
    $or: [
      { updatedAt: { $gt: since } },
      { updatedAt: { $exists: false }, _id: { $type: 'objectId', $gte: minted } },
    ],
  };
}

export function chunkFilter(target: ChunkTarget): Filter<Document> {
  const parts: Filter<Document>[] = [rangeFilter(target.range)];
  if (target.since) parts.push(deltaFilter(target.since));
  if (target.onlyIds) parts.push({ _id: { $in: [...target.onlyIds] } } as Filter<Document>);
  return parts.length === 1 ? parts[0]! : { $and: parts };
}

/**
 * Copies one `_id` range: read it, resolve its references in one batched lookup per parent, map every
 * document, and write parents, children, id_map entries, rejects and notes in the caller's transaction
 * (`client` must be inside BEGIN). A document that cannot map is a reject row; it never fails the chunk.
 */
export async function copyChunk(
  client: pg.ClientBase,
  mongo: MongoDb,
  spec: CollectionSpec,
  target: ChunkTarget,
): Promise<ChunkCounts> {
  const docs = (await mongo
    .collection(spec.collection)
    .find(chunkFilter(target), { sort: { _id: 1 } })
    .toArray()) as LegacyDoc[];
  const ctx = await prefetchReferences(client, spec, docs);
  const refusedByValue = await checkValueReferences(client, spec, docs);

  const rejects: RejectRow[] = [];
  const mapped: Mapped[] = [];
  for (const doc of docs) {
    const legacyId = legacyIdOf(doc._id);
    const result = refusedByValue.get(doc) ?? spec.map(doc, ctx);
    if (isReject(result)) rejects.push({ legacyId, reject: result, raw: rawOf(doc) });
    else mapped.push({ legacyId, doc, result });
  }

  const ids = await allocateIds(
    client,
    spec.collection,
    mapped.map((m) => m.legacyId),
  );
  const written = await writeIsolatingRefusals(client, spec, ids, mapped, rejects);

  await recordRejects(client, target.runId, spec.collection, rejects);
  await resolveRejects(
    client,
    spec.collection,
    written.map((m) => m.legacyId),
  );
  await recordMappingNotes(
    client,
    target.runId,
    spec.collection,
    written.map((m) => ({
      legacyId: m.legacyId,
      anomalies: m.result.anomalies ?? [],
      links: m.result.links ?? [],
    })),
  );
  return { read: docs.length, written: written.length, rejected: rejects.length };
}

/**
 * Writes a batch; when Postgres refuses a row of it (SQLSTATE class 23), bisects under savepoints until
 * each refused document stands alone and becomes a reject: k offenders cost O(k log n) statements, not n.
 */
async function writeIsolatingRefusals(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  batch: readonly Mapped[],
  rejects: RejectRow[],
  depth = 0,
): Promise<Mapped[]> {
  if (batch.length === 0) return [];
  const savepoint = `write_${depth}`;
  await client.query(`SAVEPOINT ${savepoint}`);
  try {
    const refused = new Set(await writeMapped(client, spec, ids, batch));
    await client.query(`RELEASE SAVEPOINT ${savepoint}`);
    if (refused.size === 0) return [...batch];
    for (const one of batch.filter((m) => refused.has(m.legacyId))) {
      rejects.push({
        legacyId: one.legacyId,
        reject: await refusalOf(client, spec, ids, one),
        raw: rawOf(one.doc),
      });
    }
    return batch.filter((m) => !refused.has(m.legacyId));
  } catch (error) {
    if (!isConstraintError(error)) throw error;
    await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    await client.query(`RELEASE SAVEPOINT ${savepoint}`);
    if (batch.length === 1) {
      const [one] = batch as [Mapped];
      rejects.push({ legacyId: one.legacyId, reject: constraintReject(error), raw: rawOf(one.doc) });
      return [];
    }
    // Thrown refusals (foreign keys, CHECKs, a unique clash on UPDATE) fail the statement: bisect.
    const middle = Math.ceil(batch.length / 2);
    const left = await writeIsolatingRefusals(client, spec, ids, batch.slice(0, middle), rejects, depth + 1);
    const right = await writeIsolatingRefusals(client, spec, ids, batch.slice(middle), rejects, depth + 1);
    return [...left, ...right];
  }
}

/** Why a row skipped by ON CONFLICT DO NOTHING was refused: insert it plainly under a savepoint. */
async function refusalOf(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  one: Mapped,
): Promise<Reject> {
  await client.query('SAVEPOINT probe');
  const error = await probeInsert(client, tableShape(spec.table), mainRow(ids, one));
  await client.query('ROLLBACK TO SAVEPOINT probe');
  await client.query('RELEASE SAVEPOINT probe');
  if (isConstraintError(error)) return constraintReject(error);
  // Refused a moment ago but accepted now: a concurrent writer removed the clash. Say so; a retry will settle it.
  return {
    reject: 'constraint_violation',
    message: 'refused by a unique constraint that no longer clashes; retry it',
  };
}

function mainRow(
  ids: ReadonlyMap<LegacyId, PgUuid>,
  { legacyId, doc, result }: Mapped,
): Record<string, unknown> {
  return { ...result.row, id: ids.get(legacyId), legacyObjectId: legacyId, sourceUpdatedAt: versionOf(doc) };
}

async function writeMapped(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  mapped: readonly Mapped[],
): Promise<LegacyId[]> {
  const rows = mapped.map((one) => mainRow(ids, one));
  const { changed: changedIds, refused } = await upsertRows(client, tableShape(spec.table), rows);
  const changed = new Set(changedIds);
  for (const [childName, child] of Object.entries(spec.children ?? {})) {
    const shape = tableShape(child.table);
    const ownerColumn = shape.columnOf.get(child.ownerKey);
    if (!ownerColumn) throw new Error(`${childName} has no owner column ${child.ownerKey}`);
    const owners: PgUuid[] = [];
    const childRows: Record<string, unknown>[] = [];
    for (const { legacyId, result } of mapped) {
      const owner = ids.get(legacyId);
      if (!owner || !changed.has(owner)) continue;
      owners.push(owner);
      for (const row of result.children?.[childName] ?? [])
        childRows.push({ ...row, [child.ownerKey]: owner });
    }
    await replaceChildren(client, shape, ownerColumn, owners, childRows);
  }
  // Junction rows of a rewritten document are re-derived by the link pass from its new pending links.
  const rewritten = [...changed];
  for (const [name, junction] of Object.entries(spec.junctions ?? {})) {
    const shape = tableShape(junction.table);
    const ownerColumn = shape.columnOf.get(junction.ownerKey);
    if (!ownerColumn) throw new Error(`junction ${name} has no owner column ${junction.ownerKey}`);
    await replaceChildren(client, shape, ownerColumn, rewritten, []);
  }
  return refused;
}

/** The source document as canonical Extended JSON: every BSON type survives in the jsonb column. */
function rawOf(doc: LegacyDoc): unknown {
  return EJSON.serialize(doc, { relaxed: false });
}
