import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useMongo } from './harness.js';

/**
 * The backfill's access pattern: plan _id split points, then read the collection one _id range at a
 * time. Asserts correctness (every document exactly once), not speed.
 */
const N = 200_000;
const RANGES = 1000;

describe('sequential _id range reads over a large collection', () => {
  const h = useMongo();
  const coll = () => h().db.collection<{ _id: ObjectId; i: number }>('big');

  it(`loads ${N} documents in batches of 1000`, async () => {
    for (let start = 0; start < N; start += 1000) {
      const batch = Array.from({ length: 1000 }, (_, j) => ({ _id: new ObjectId(), i: start + j }));
      await coll().insertMany(batch, { ordered: false });
    }
    expect(await coll().estimatedDocumentCount()).toBe(N);
  }, 120_000);

  it('reads 1,000 ranges planned by $bucketAuto, each document exactly once', async () => {
    const buckets = await coll()
      .aggregate([{ $bucketAuto: { groupBy: '$_id', buckets: RANGES } }])
      .toArray();
    expect(buckets.length).toBe(RANGES);
    const seen = new Set<string>();
    let total = 0;
    for (const [k, b] of buckets.entries()) {
      const last = k === buckets.length - 1;
      const docs = await coll()
        .find({ _id: last ? { $gte: b._id.min, $lte: b._id.max } : { $gte: b._id.min, $lt: b._id.max } })
        .sort({ _id: 1 })
        .toArray();
      expect(docs.length).toBe(b.count);
      for (const d of docs) seen.add(d._id.toHexString());
      total += docs.length;
    }
    expect(total).toBe(N);
    expect(seen.size).toBe(N);
  }, 120_000);

  it('reads 1,000 keyset pages (_id > last, sort _id, limit) and split points by skip', async () => {
    const pageSize = N / RANGES;
    let last: ObjectId | undefined;
    let total = 0;
    let previous = '';
    let outOfOrder = 0;
    for (let k = 0; k < RANGES; k++) {
      const docs = await coll()
        .find(last ? { _id: { $gt: last } } : {}, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .limit(pageSize)
        .toArray();
      expect(docs.length).toBe(pageSize);
      for (const d of docs) {
        const hex = d._id.toHexString();
        if (hex <= previous) outOfOrder++;
        previous = hex;
      }
      total += docs.length;
      last = docs[docs.length - 1]?._id;
    }
    expect(outOfOrder).toBe(0);
    expect(total).toBe(N);
    expect(await coll().countDocuments({ _id: { $gt: last } })).toBe(0);

    // Split points the cheap way: sort {_id: 1}, skip k·size, limit 1, projection {_id: 1}.
    const splits: ObjectId[] = [];
    for (let k = 0; k < 10; k++) {
      const [p] = await coll()
        .find({}, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .skip(k * (N / 10))
        .limit(1)
        .toArray();
      splits.push((p as { _id: ObjectId })._id);
    }
    for (let k = 0; k < 10; k++) {
      const lo = splits[k] as ObjectId;
      const hi = splits[k + 1];
      expect(await coll().countDocuments({ _id: hi ? { $gte: lo, $lt: hi } : { $gte: lo } })).toBe(N / 10);
    }
  }, 120_000);
});
