import type { Db as MongoDb, Document } from 'mongodb';
import { ID_TYPE_BRACKETS, type IdRange } from './ranges.js';

/**
 * Splits a collection into `_id` ranges of about `chunkSize` documents. It streams only the `_id`s, in
 * index order, once: O(N) on any MongoDB, where skip-based splitting would cost O(N²/chunk) on a real one.
 */
export async function planRanges(mongo: MongoDb, collection: string, chunkSize: number): Promise<IdRange[]> {
  // Typed loosely: `_id` here may be any BSON type, which the driver's default ObjectId typing rejects.
  const coll = mongo.collection<Document>(collection);
  const ranges: IdRange[] = [];
  for (const type of ID_TYPE_BRACKETS) {
    const inBracket: Document = { _id: { $type: type } };
    const any = await coll.findOne(inBracket, { projection: { _id: 1 } });
    if (!any) continue;
    const cursor = coll.find(inBracket, { projection: { _id: 1 }, sort: { _id: 1 }, batchSize: 10_000 });
    let lo: unknown = null;
    let seen = 0;
    for await (const doc of cursor) {
      if (seen > 0 && seen % chunkSize === 0) {
        ranges.push({ type, lo, hi: doc._id });
        lo = doc._id;
      }
      seen += 1;
    }
    ranges.push({ type, lo, hi: null });
  }
  return ranges;
}
