import { ObjectId } from 'bson';
import type { Db as MongoDb, Document, Filter } from 'mongodb';
import type pg from 'pg';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { isReject, type CollectionSpec, type LegacyDoc } from '../collections/spec.js';
import { prefetchReferences } from './references.js';
import { checkValueReferences } from './byValue.js';
import { rangeFilter, type IdRange } from './ranges.js';
import { allocateIds } from './sql/idMap.js';
import { recordMappingNotes, recordRejects, resolveRejects, type RejectRow } from './sql/outcomes.js';
import { rawOf, writeDocuments, type Mapped } from './writeDocuments.js';

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
  const { written, changed, rewritten } = await writeDocuments(client, spec, ids, mapped, rejects);

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
    changed.map((m) => ({
      legacyId: m.legacyId,
      anomalies: m.result.anomalies ?? [],
      links: m.result.links ?? [],
    })),
    rewritten.map((m) => m.legacyId),
  );
  return { read: docs.length, written: written.length, rejected: rejects.length };
}
