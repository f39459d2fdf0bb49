import type { Db as MongoDb, Document } from 'mongodb';
import { SORTED_ID_BRACKETS, type IdRange, type IdTypeBracket } from './ranges.js';

/** The bracket of an `_id` value, by the BSON types the driver hands back. */
export function bracketOf(value: unknown): IdTypeBracket | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Date) return 'date';
  const bsontype = (value as { _bsontype?: string } | null)?._bsontype;
  if (bsontype === 'ObjectId') return 'objectId';
  if (bsontype === 'Binary') return 'binData';
  if (bsontype === 'Int32' || bsontype === 'Long' || bsontype === 'Double' || bsontype === 'Decimal128')
    return 'number';
  if (bsontype === undefined && value !== null && typeof value === 'object') return 'object';
  return undefined;
}

/**
 * Splits a collection into `_id` ranges of about `chunkSize` documents by hopping along the `_id` index:
 * each boundary is one covered query (`_id >= lo`, sorted, skip chunkSize, limit 1, `_id` only), so
 * planning reads N/chunkSize index positions instead of streaming every `_id` to the client.
 */
export async function planRanges(mongo: MongoDb, collection: string, chunkSize: number): Promise<IdRange[]> {
  // Typed loosely: `_id` here may be any BSON type, which the driver's default ObjectId typing rejects.
  const coll = mongo.collection<Document>(collection);
  const ranges: IdRange[] = [];
  for (const type of await presentBrackets(mongo, collection)) {
    if (type === 'other') {
      ranges.push({ type, lo: null, hi: null });
      continue;
    }
    const inBracket: Document = { _id: { $type: type } };
    const first = await coll.findOne(inBracket, { projection: { _id: 1 }, sort: { _id: 1 } });
    if (!first) continue;
    // `$gte` on an _id compares within the bound's own BSON type (Mongo's type bracketing), so past the
    // first boundary no `$type` is needed, and the query stays a plain index range.
    let lo: unknown = null;
    let from: unknown = first._id;
    for (;;) {
      const fromBound: Document = { _id: { $gte: from } };
      const next = await coll.findOne(fromBound, {
        projection: { _id: 1 },
        sort: { _id: 1 },
        skip: chunkSize,
      });
      if (!next) break;
      ranges.push({ type, lo, hi: next._id });
      lo = next._id;
      from = next._id;
    }
    ranges.push({ type, lo, hi: null });
  }
  return ranges;
}

/**
 * The type brackets a collection's `_id`s fall in. The smallest and largest `_id` bound them (Mongo sorts
 * by type first); only brackets strictly between those two need a `$type` probe, which on a collection
 * of ObjectIds alone means none at all.
 */
async function presentBrackets(mongo: MongoDb, collection: string): Promise<IdTypeBracket[]> {
  const coll = mongo.collection<Document>(collection);
  const [min, max] = await Promise.all(
    [1, -1].map((dir) => coll.findOne({}, { projection: { _id: 1 }, sort: { _id: dir as 1 | -1 } })),
  );
  if (!min || !max) return [];
  const lo = SORTED_ID_BRACKETS.indexOf(bracketOf(min._id) ?? SORTED_ID_BRACKETS[0]!);
  const hi = SORTED_ID_BRACKETS.indexOf(bracketOf(max._id) ?? SORTED_ID_BRACKETS.at(-1)!);
  const present: IdTypeBracket[] = [];
  // Types outside every bracket sort before numbers (null, MinKey) or after dates (Timestamp, regex,
  // MaxKey), so the smallest or largest `_id` shows whether any exist, without a scan.
  if (bracketOf(min._id) === undefined || bracketOf(max._id) === undefined) present.push('other');
  for (const [i, type] of SORTED_ID_BRACKETS.entries()) {
    if (i < lo || i > hi) continue;
    const probe: Document = { _id: { $type: type } };
    if (i === lo || i === hi || (await coll.findOne(probe, { projection: { _id: 1 } }))) {
      present.push(type);
    }
  }
  return present;
}
