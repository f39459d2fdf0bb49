import type { Db as MongoDb, Document } from 'mongodb';
import { ID_TYPE_BRACKETS, type IdRange } from './ranges.js';

/**
 * Splits a collection into `_id` ranges of about `chunkSize` documents by hopping along the `_id` index:
 * each boundary is one covered query (`_id >= lo`, sorted, skip chunkSize, limit 1, `_id` only), so
 * planning reads N/chunkSize index positions instead of streaming every `_id` to the client.
 */
export async function planRanges(mongo: MongoDb, collection: string, chunkSize: number): Promise<IdRange[]> {
  // Typed loosely: `_id` here may be any BSON type, which the driver's default ObjectId typing rejects.
  const coll = mongo.collection<Document>(collection);
  const ranges: IdRange[] = [];
  for (const type of ID_TYPE_BRACKETS) {
    const inBracket: Document = { _id: { $type: type } };
    const first = await coll.findOne(inBracket, { projection: { _id: 1 }, sort: { _id: 1 } });
    if (!first) continue;
    let lo: unknown = null;
    for (;;) {
      const from: Document = lo === null ? inBracket : { _id: { $type: type, $gte: lo } };
      const next = await coll.findOne(from, { projection: { _id: 1 }, sort: { _id: 1 }, skip: chunkSize });
      if (!next) break;
      ranges.push({ type, lo, hi: next._id });
      lo = next._id;
    }
    ranges.push({ type, lo, hi: null });
  }
  return ranges;
}
