import { ObjectId } from 'bson';
import type { Db as MongoDb, Document } from 'mongodb';
import type pg from 'pg';
import type { LegacyId } from '../db/ids.js';
import type { CollectionSpec } from '../collections/spec.js';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { rangeFilter, type IdRange } from './ranges.js';
import { tableShape } from './sql/tableShape.js';

/** A legacy id that spells an ObjectId; any other legacy id is a string `_id` (docs/data-policy.md "Ids"). */
const OBJECT_ID_TEXT = '^[0-9a-f]{24}$';

/** The legacy ids of every document in a range, read as `_id` only (a covered index scan). */
export async function idsInRange(
  mongo: MongoDb,
  spec: CollectionSpec,
  range: IdRange,
): Promise<Set<LegacyId>> {
  const ids = new Set<LegacyId>();
  const cursor = mongo
    .collection<Document>(spec.collection)
    .find(rangeFilter(range), { projection: { _id: 1 }, sort: { _id: 1 } });
  for await (const { _id } of cursor) {
    const id = legacyIdOrNull(_id);
    if (id) ids.add(id);
  }
  return ids;
}

function legacyIdOrNull(id: unknown): LegacyId | null {
  try {
    return legacyIdOf(id);
  } catch {
    return null;
  }
}

/**
 * The `legacy_object_id` text range of an `_id` range, as a filter on `legacy_object_id` with its
 * parameters numbered from `first`. Only ObjectId and string `_id`s can have rows: a document of any
 * other `_id` type is a reject (src/backfill/copyChunk.ts).
 *
 * MongoDB orders string `_id`s byte-wise, as `COLLATE "C"` does, and that test is always applied. It
 * cannot use the `legacy_object_id` index (built in the database's collation), so an ObjectId range
 * also gets the same bounds in the column's own collation, which the index serves: 24 lower-case hex
 * digits order alike under every collation (digits before letters, one case, equal lengths), so the
 * two tests agree there, and a range costs an index scan instead of a scan of the whole table.
 */
function textRange(range: IdRange, first: number): { where: string; params: unknown[] } | null {
  if (range.type !== 'objectId' && range.type !== 'string') return null;
  const objectIds = range.type === 'objectId';
  const asText = (bound: unknown) => (objectIds ? (bound as ObjectId).toHexString() : String(bound));
  const tests = [`legacy_object_id ${objectIds ? '~' : '!~'} '${OBJECT_ID_TEXT}'`];
  const params: unknown[] = [];
  for (const [bound, op] of [
    [range.lo, '>='],
    [range.hi, '<'],
  ] as const) {
    if (bound === null || bound === undefined) continue;
    params.push(asText(bound));
    const param = `$${first + params.length - 1}`;
    tests.push(`legacy_object_id COLLATE "C" ${op} ${param}`);
    if (objectIds) tests.push(`legacy_object_id ${op} ${param}`);
  }
  return { where: `(${tests.join(' AND ')})`, params };
}

export interface Departures {
  /** Rows (live or tombstoned for a reject) whose document is no longer in MongoDB. */
  rows: LegacyId[];
  /** Open rejects whose document is no longer in MongoDB. */
  rejects: LegacyId[];
}

/**
 * Documents that left MongoDB from one `_id` range: the rows and open rejects whose legacy id falls in
 * the range but is not among `present` (the range's `_id`s as read by this chunk). Rows stamped after
 * `readStartedAt` were written by a later reader and are not judged against this chunk's read. Each
 * candidate is confirmed absent by a point lookup (as an ObjectId and as a string), so no live document
 * can ever be taken for a deleted one.
 */
export async function findDepartures(
  client: pg.ClientBase,
  mongo: MongoDb,
  spec: CollectionSpec,
  range: IdRange,
  present: ReadonlySet<LegacyId>,
  readStartedAt: Date,
): Promise<Departures> {
  const bounds = textRange(range, 4);
  if (!bounds) return { rows: [], rejects: [] };
  const main = tableShape(spec.table).quoted;
  // The range's present ids go to Postgres, so only the (usually zero) absent ones come back. EXCEPT
  // is a hashed set difference; `<> ALL(present)` compared every row with every present id.
  const { rows: candidates } = await client.query<{ legacy_object_id: LegacyId; kind: 'row' | 'reject' }>(
    `SELECT legacy_object_id, 'row' AS kind FROM (
       SELECT legacy_object_id FROM ${main}
        WHERE source_deleted_at IS NULL AND NOT COALESCE(source_read_at > $1, false) AND ${bounds.where}
       EXCEPT SELECT unnest($3::text[])) AS gone_rows
     UNION ALL
     SELECT legacy_object_id, 'reject' FROM (
       SELECT legacy_object_id FROM migration_rejects
        WHERE collection = $2 AND resolved_at IS NULL AND ${bounds.where}
       EXCEPT SELECT unnest($3::text[])) AS gone_rejects`,
    [readStartedAt, spec.collection, [...present], ...bounds.params],
  );
  if (candidates.length === 0) return { rows: [], rejects: [] };
  const stillThere = await existingIds(mongo, spec, [...new Set(candidates.map((c) => c.legacy_object_id))]);
  const gone = candidates.filter((c) => !stillThere.has(c.legacy_object_id));
  return {
    rows: gone.filter((c) => c.kind === 'row').map((c) => c.legacy_object_id),
    rejects: gone.filter((c) => c.kind === 'reject').map((c) => c.legacy_object_id),
  };
}

/** Which of these legacy ids still name a document, looked up both as an ObjectId and as a string. */
export async function existingIds(
  mongo: MongoDb,
  spec: CollectionSpec,
  legacyIds: readonly LegacyId[],
): Promise<Set<LegacyId>> {
  const found = new Set<LegacyId>();
  const BATCH = 1000;
  for (let i = 0; i < legacyIds.length; i += BATCH) {
    const batch = legacyIds.slice(i, i + BATCH);
    const spellings: unknown[] = [...batch];
    for (const id of batch) if (new RegExp(OBJECT_ID_TEXT).test(id)) spellings.push(new ObjectId(id));
    const docs = await mongo
      .collection<Document>(spec.collection)
      .find({ _id: { $in: spellings } } as Document, { projection: { _id: 1 } })
      .toArray();
    for (const { _id } of docs) {
      const id = legacyIdOrNull(_id);
      if (id) found.add(id);
    }
  }
  return found;
}
