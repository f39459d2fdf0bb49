import { Decimal128, Int32, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useMongo } from './harness.js';

describe('aggregation', () => {
  const h = useMongo();
  const payments = () => h().db.collection('payments');

  it('sums 1,000 × Decimal128 0.1 to exactly 100.0 and keeps 18-decimal precision', async () => {
    await payments().insertMany(
      Array.from({ length: 1000 }, (_, i) => ({
        status: i % 2 ? 'paid' : 'pending',
        amount: Decimal128.fromString('0.1'),
        fine: Decimal128.fromString('0.000000000000000001'),
      })),
    );
    const [total] = await payments()
      .aggregate([
        { $group: { _id: null, sum: { $sum: '$amount' }, fine: { $sum: '$fine' }, n: { $sum: 1 } } },
      ])
      .toArray();
    expect((total?.sum as Decimal128).toString()).toBe('100.0');
    expect((total?.fine as Decimal128).toString()).toBe('1.000E-15');
    expect(total?.n).toBe(1000);
    const byStatus = await payments()
      .aggregate([{ $group: { _id: '$status', sum: { $sum: '$amount' } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(byStatus.map((g) => [g._id, (g.sum as Decimal128).toString()])).toEqual([
      ['paid', '50.0'],
      ['pending', '50.0'],
    ]);
  });

  it('adds 18-decimal amounts exactly and promotes int + decimal to decimal', async () => {
    const c = h().db.collection('money');
    await c.insertMany([
      { a: Decimal128.fromString('123456789.123456789012345678') },
      { a: Decimal128.fromString('0.000000000000000001') },
      { a: new Int32(2) },
      { a: 'not a number' },
    ]);
    const [r] = await c
      .aggregate([{ $group: { _id: null, s: { $sum: '$a' }, avg: { $avg: '$a' }, max: { $max: '$a' } } }])
      .toArray();
    expect((r?.s as Decimal128).toString()).toBe('123456791.123456789012345679');
    expect(r?.s).toBeInstanceOf(Decimal128);
    expect(r?.max).toBe('not a number'); // strings sort above numbers
    const [avg] = await c
      .aggregate([{ $match: { a: { $type: 'decimal' } } }, { $group: { _id: 1, avg: { $avg: '$a' } } }])
      .toArray();
    expect(avg?.avg).toBeInstanceOf(Decimal128);
  });

  it('sums ints as int, promotes to long on overflow and to double with doubles', async () => {
    const c = h().db.collection('ints');
    await c.insertMany([{ v: new Int32(2147483647) }, { v: new Int32(1) }, { w: 1.5 }, { w: new Int32(1) }]);
    const [r] = await c
      .aggregate([{ $group: { _id: null, v: { $sum: '$v' }, w: { $sum: '$w' } } }], { promoteLongs: false })
      .toArray();
    expect(r?.v).toBeInstanceOf(Long);
    expect((r?.v as Long).toString()).toBe('2147483648');
    expect(r?.w).toBe(2.5);
  });

  it('groups by expression keys with $min/$max/$avg/$first/$last/$push', async () => {
    const c = h().db.collection('sales');
    await c.insertMany([
      { item: 'a', qty: 2, day: 1 },
      { item: 'b', qty: 5, day: 1 },
      { item: 'a', qty: 4, day: 2 },
      { item: 'a', qty: 6, day: 3 },
    ]);
    const rows = await c
      .aggregate([
        { $sort: { day: 1 } },
        {
          $group: {
            _id: { item: '$item' },
            min: { $min: '$qty' },
            max: { $max: '$qty' },
            avg: { $avg: '$qty' },
            first: { $first: '$day' },
            last: { $last: '$day' },
            days: { $push: '$day' },
            total: { $sum: { $multiply: ['$qty', 10] } },
          },
        },
        { $sort: { '_id.item': 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { _id: { item: 'a' }, min: 2, max: 6, avg: 4, first: 1, last: 3, days: [1, 2, 3], total: 120 },
      { _id: { item: 'b' }, min: 5, max: 5, avg: 5, first: 1, last: 1, days: [1], total: 50 },
    ]);
  });

  it('runs $match, $project, $unwind, $skip, $limit and $count', async () => {
    const c = h().db.collection('posts');
    await c.insertMany([
      { title: 'x', tags: ['a', 'b'] },
      { title: 'y', tags: ['b'] },
      { title: 'z', tags: [] },
    ]);
    const unwound = await c
      .aggregate([
        { $unwind: '$tags' },
        { $project: { _id: 0, title: 1, tag: '$tags' } },
        { $sort: { tag: 1, title: 1 } },
      ])
      .toArray();
    expect(unwound).toEqual([
      { title: 'x', tag: 'a' },
      { title: 'x', tag: 'b' },
      { title: 'y', tag: 'b' },
    ]);
    const paged = await c
      .aggregate([{ $sort: { title: 1 } }, { $skip: 1 }, { $limit: 1 }, { $project: { _id: 0, title: 1 } }])
      .toArray();
    expect(paged).toEqual([{ title: 'y' }]);
    expect(await c.aggregate([{ $match: { tags: 'b' } }, { $count: 'n' }]).toArray()).toEqual([{ n: 2 }]);
    expect(await c.aggregate([{ $match: { tags: 'nope' } }, { $count: 'n' }]).toArray()).toEqual([]);
  });

  it('countDocuments runs as $match + $group {_id: 1, n: {$sum: 1}}', async () => {
    const c = h().db.collection('posts');
    const raw = await c.aggregate([{ $match: {} }, { $group: { _id: 1, n: { $sum: 1 } } }]).toArray();
    expect(raw).toEqual([{ _id: 1, n: 3 }]);
    expect(await c.countDocuments({ title: { $in: ['x', 'y'] } })).toBe(2);
  });

  it('splits _id space with $bucketAuto', async () => {
    const c = h().db.collection('split');
    const ids = Array.from({ length: 1000 }, () => new ObjectId());
    await c.insertMany(ids.map((_id, i) => ({ _id, i })));
    const buckets = await c.aggregate([{ $bucketAuto: { groupBy: '$_id', buckets: 10 } }]).toArray();
    expect(buckets.length).toBe(10);
    expect(buckets.reduce((n, b) => n + (b.count as number), 0)).toBe(1000);
    const sorted = [...ids].sort((a, b) => a.toHexString().localeCompare(b.toHexString()));
    expect((buckets[0]?._id.min as ObjectId).equals(sorted[0] as ObjectId)).toBe(true);
    expect((buckets[9]?._id.max as ObjectId).equals(sorted[999] as ObjectId)).toBe(true);
    for (let i = 0; i < 9; i++) {
      expect((buckets[i]?._id.max as ObjectId).equals(buckets[i + 1]?._id.min as ObjectId)).toBe(true);
    }
    // Each bucket [min, max) (last one inclusive) holds exactly its count.
    for (const [i, b] of buckets.entries()) {
      const range = i === 9 ? { $gte: b._id.min, $lte: b._id.max } : { $gte: b._id.min, $lt: b._id.max };
      expect(await c.countDocuments({ _id: range })).toBe(b.count);
    }
  });
});
