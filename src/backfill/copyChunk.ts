import { ObjectId } from 'bson';
import type { Db as MongoDb, Document, Filter } from 'mongodb';
import type pg from 'pg';
import { EJSON } from 'bson';
import { asLegacyId, type LegacyId } from '../db/ids.js';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { isReject, type CollectionSpec, type LegacyDoc } from '../collections/spec.js';
import { prefetchReferences } from './references.js';
import { checkValueReferences } from './byValue.js';
import { rangeFilter, type IdRange } from './ranges.js';
import { allocateIds } from './sql/idMap.js';
import {
  forgetDeletions,
  recordDeletions,
  recordMappingNotes,
  recordRejects,
  resolveRejects,
  type RejectRow,
} from './sql/outcomes.js';
import { retireRows } from './sql/retire.js';
import { existingIds, findDepartures, idsInRange } from './departures.js';
import { settleUniqueFlags } from './uniqueFlags.js';
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

/** What a chunk did, for the chunk row and the run's totals. */
export interface ChunkOutcome extends ChunkCounts {
  /** Documents found gone from MongoDB in this range: rows removed or tombstoned, rejects closed. */
  departed: number;
}

/**
 * Brings one `_id` range into Postgres as MongoDB has it now, in the caller's transaction (`client`
 * must be inside BEGIN): read it, resolve its references with one batched lookup per parent, map every
 * document, write parents, children, id_map entries, rejects and notes, and retire the rows of
 * documents that left MongoDB or stopped mapping. A document that cannot map is a reject row; it never
 * fails the chunk. Every row written is stamped with the instant the read began (the write guard).
 */
export async function copyChunk(
  client: pg.ClientBase,
  mongo: MongoDb,
  spec: CollectionSpec,
  target: ChunkTarget,
): Promise<ChunkOutcome> {
  const readStartedAt = await postgresNow(client);
  const docs = (await mongo
    .collection(spec.collection)
    .find(chunkFilter(target), { sort: { _id: 1 } })
    .toArray()) as LegacyDoc[];
  const ctx = await prefetchReferences(client, spec, docs);
  const refusedByValue = await checkValueReferences(client, spec, docs);

  const rejects: RejectRow[] = [];
  const seen = new Set<LegacyId>();
  let mapped: Mapped[] = [];
  for (const doc of docs) {
    const named = nameOf(doc);
    if ('reject' in named) {
      rejects.push(named.reject);
      continue;
    }
    seen.add(named.legacyId);
    const result = refusedByValue.get(doc) ?? spec.map(doc, ctx);
    if (isReject(result)) rejects.push({ legacyId: named.legacyId, reject: result, raw: rawOf(doc) });
    else mapped.push({ legacyId: named.legacyId, doc, result });
  }
  mapped = await settleUniqueFlags(client, spec, target.runId, mapped);

  const ids = await allocateIds(
    client,
    spec.collection,
    mapped.map((m) => m.legacyId),
  );
  const { written, changed, rewritten } = await writeDocuments(client, spec, ids, mapped, rejects, {
    readStartedAt,
  });

  // A document that no longer maps loses its row (or has it tombstoned), so it is never counted twice;
  // a row a later reader wrote stands, and this chunk's older copy of the document is not a reject.
  const retiredAsRejects = await retireRows(
    client,
    spec,
    rejects.map((r) => r.legacyId),
    'rejected',
    readStartedAt,
  );
  const newer = new Set(retiredAsRejects.newer);
  const kept = rejects.filter((r) => !newer.has(r.legacyId));
  await recordRejects(client, target.runId, spec.collection, kept);

  const departed = await settleDepartures(client, mongo, spec, target, seen, readStartedAt);
  const back = written.map((m) => m.legacyId);
  await resolveRejects(client, spec.collection, back, 'migrated');
  await forgetDeletions(client, spec.collection, back);
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
  return { read: docs.length, written: written.length, rejected: kept.length, departed };
}

async function postgresNow(client: pg.ClientBase): Promise<Date> {
  const { rows } = await client.query<{ now: Date }>(`SELECT clock_timestamp() AS now`);
  return rows[0]!.now;
}

/**
 * A document's legacy id, or, for an `_id` of a type no row can be keyed by (a number, a date, null…),
 * a reject keyed by the `_id` as canonical Extended JSON, so the document is accounted for and readable.
 */
function nameOf(doc: LegacyDoc): { legacyId: LegacyId } | { reject: RejectRow } {
  try {
    return { legacyId: legacyIdOf(doc._id) };
  } catch (error) {
    return {
      reject: {
        legacyId: asLegacyId(EJSON.stringify(doc._id ?? null, { relaxed: false })),
        reject: { reject: 'invalid_type', field: '_id', message: (error as Error).message },
        raw: rawOf(doc),
      },
    };
  }
}

/**
 * Finds the documents of this chunk's range (or of its id list) that left MongoDB and settles them:
 * rows removed or tombstoned, open rejects closed, each recorded in migration_deletions.
 */
async function settleDepartures(
  client: pg.ClientBase,
  mongo: MongoDb,
  spec: CollectionSpec,
  target: ChunkTarget,
  seen: ReadonlySet<LegacyId>,
  readStartedAt: Date,
): Promise<number> {
  let gone: { rows: LegacyId[]; rejects: LegacyId[] };
  if (target.onlyIds) {
    const asked = target.onlyIds.flatMap((id) => ('legacyId' in nameOf({ _id: id }) ? [legacyIdOf(id)] : []));
    const missing = asked.filter((id) => !seen.has(id));
    const still = await existingIds(mongo, spec, missing);
    const absent = missing.filter((id) => !still.has(id));
    gone = { rows: absent, rejects: absent };
  } else {
    // A full chunk read every document of its range; a delta chunk reads the range's `_id`s alone.
    const present = target.since ? await idsInRange(mongo, spec, target.range) : seen;
    gone = await findDepartures(client, mongo, spec, target.range, present, readStartedAt);
  }
  const retired = await retireRows(client, spec, gone.rows, 'deleted', readStartedAt);
  const deleted = [...retired.removed, ...retired.tombstoned];
  const closed = await resolveRejects(
    client,
    spec.collection,
    [...new Set([...deleted, ...gone.rejects])],
    'deleted',
  );
  await recordDeletions(client, target.runId, spec.collection, retired);
  return new Set([...deleted, ...closed]).size;
}
