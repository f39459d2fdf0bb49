import mongoose, { Schema } from 'mongoose';
import { ObjectId, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useMongo } from './harness.js';

/** Any _id (numbers, strings, ObjectIds) and any fields: these tests are about names, not schemas. */
/** Projections MongoDB 4.4+ answers (nested, positional, $elemMatch, $slice) and $pull with conditions. */
describe('projections', () => {
  const h = useMongo();
  const coll = () => h().db.collection('proj');

  it('projects nested projection documents, not their literal value', async () => {
    const { insertedId } = await coll().insertOne({
      name: 'p',
      child: { name: 'c', age: 3, grandChild: { name: 'g', x: 1 } },
      account: { amount: 25, owner: 'o', taxIds: [42] },
    });
    const doc = await coll().findOne(
      { _id: insertedId },
      { projection: { _id: 0, child: { name: 1, grandChild: { name: 1 } }, account: { amount: 1 } } },
    );
    expect(doc).toEqual({ child: { name: 'c', grandChild: { name: 'g' } }, account: { amount: 25 } });
    const excluded = await coll().findOne(
      { _id: insertedId },
      { projection: { child: { age: 0 }, account: 0 } },
    );
    expect(excluded).toEqual({
      _id: insertedId,
      name: 'p',
      child: { name: 'c', grandChild: { name: 'g', x: 1 } },
    });
    const aggregated = await coll()
      .aggregate([{ $match: { _id: insertedId } }, { $project: { _id: 0, child: { name: 1 } } }])
      .toArray();
    expect(aggregated).toEqual([{ child: { name: 'c' } }]);
  });

  it('positional `$` returns the first element the query matched', async () => {
    const events = [
      { type: 'a', n: 1 },
      { type: 'b', n: 2 },
      { type: 'b', n: 3 },
    ];
    const { insertedId } = await coll().insertOne({ name: 'pos', events });
    const doc = await coll().findOne(
      { _id: insertedId, 'events.type': 'b' },
      { projection: { 'events.$': 1 } },
    );
    expect(doc).toEqual({ _id: insertedId, events: [{ type: 'b', n: 2 }] });
    const elem = await coll().findOne(
      { events: { $elemMatch: { type: 'b', n: 3 } } },
      { projection: { name: 1, 'events.$': 1 } },
    );
    expect(elem).toEqual({ _id: insertedId, name: 'pos', events: [{ type: 'b', n: 3 }] });
  });

  it('$elemMatch projects _id and the first matching element only', async () => {
    const { insertedId } = await coll().insertOne({
      name: 'em',
      nums: [1, 7, 9],
      items: [
        { k: 'x', v: 1 },
        { k: 'y', v: 2 },
        { k: 'y', v: 3 },
      ],
    });
    const byDoc = await coll().findOne(
      { _id: insertedId },
      { projection: { items: { $elemMatch: { k: 'y' } } } },
    );
    expect(byDoc).toEqual({ _id: insertedId, items: [{ k: 'y', v: 2 }] });
    const byValue = await coll().findOne(
      { _id: insertedId },
      { projection: { name: 1, nums: { $elemMatch: { $gte: 5 } } } },
    );
    expect(byValue).toEqual({ _id: insertedId, name: 'em', nums: [7] });
    const byIn = await coll().findOne(
      { _id: insertedId },
      { projection: { nums: { $elemMatch: { $in: [9, 10] } } } },
    );
    expect(byIn).toEqual({ _id: insertedId, nums: [9] });
    const none = await coll().findOne(
      { _id: insertedId },
      { projection: { nums: { $elemMatch: { $gt: 100 } } } },
    );
    expect(none).toEqual({ _id: insertedId });
  });

  it('$slice applies to nested arrays', async () => {
    const { insertedId } = await coll().insertOne({ a: { arr: [1, 2, 3, 4] }, top: [5, 6, 7] });
    const doc = await coll().findOne(
      { _id: insertedId },
      { projection: { _id: 0, 'a.arr': { $slice: -2 }, top: { $slice: [1, 1] } } },
    );
    expect(doc).toEqual({ a: { arr: [3, 4] }, top: [6] });
  });

  it('matches DBRef fields inside $elemMatch', async () => {
    const id = new ObjectId();
    const { insertedId } = await coll().insertOne({ members: [{ $ref: 'foo', $id: id, $db: 'foo' }] });
    const doc = await coll().findOne({ members: { $elemMatch: { $id: id } } });
    expect(doc?._id).toEqual(insertedId);
  });

  it('the positional update operator follows an $exists match in an array of documents', async () => {
    const { insertedId } = await coll().insertOne({
      children: [{ vals: { twitter: 'w' } }, { vals: { github: 'hello', twitter: 'world' } }],
    });
    await coll().updateOne(
      { _id: insertedId, 'children.vals.github': { $exists: true } },
      { $set: { 'children.$.vals': { telegram: 'hello' } } },
    );
    const doc = await coll().findOne({ _id: insertedId });
    expect(doc?.children).toEqual([{ vals: { twitter: 'w' } }, { vals: { telegram: 'hello' } }]);
  });
});

describe('$pull with query conditions', () => {
  const h = useMongo();
  const coll = () => h().db.collection('pull');

  async function pulled(seed: unknown[], cond: unknown): Promise<unknown> {
    const { insertedId } = await coll().insertOne({ arr: seed });
    await coll().updateOne({ _id: insertedId }, { $pull: { arr: cond } } as Document);
    return (await coll().findOne({ _id: insertedId }))?.arr;
  }

  it('removes elements matching $or, field conditions, value operators and regexes', async () => {
    const docs = [{ a: 1 }, { b: 2 }, { a: 3, b: 2 }, { c: 4 }];
    expect(await pulled(docs, { $or: [{ a: 1 }, { b: 2 }] })).toEqual([{ c: 4 }]);
    expect(await pulled(docs, { a: { $gte: 2 } })).toEqual([{ a: 1 }, { b: 2 }, { c: 4 }]);
    expect(await pulled(docs, { $and: [{ b: 2 }, { a: { $exists: false } }] })).toEqual([
      { a: 1 },
      { a: 3, b: 2 },
      { c: 4 },
    ]);
    expect(await pulled([1, 5, 9, 'x'], { $gte: 5 })).toEqual([1, 'x']);
    expect(await pulled([1, 5, 9], { $in: [1, 9] })).toEqual([5]);
    expect(await pulled(['apple', 'banana', 'avocado'], /^a/)).toEqual(['banana']);
    expect(await pulled([{ a: 1 }, 1], { a: 1 })).toEqual([1]);
  });

  it('works through Mongoose for subdocuments pulled with $or', async () => {
    const conn = await mongoose.createConnection(h().mongo.url).asPromise();
    try {
      const Parent = conn.model(
        'PullParent',
        new Schema({ children: [new Schema({ name: String, age: Number }, { _id: false })] }),
      );
      const p = await Parent.create({
        children: [
          { name: 'a', age: 1 },
          { name: 'b', age: 2 },
          { name: 'c', age: 3 },
        ],
      });
      await Parent.updateOne({ _id: p._id }, { $pull: { children: { $or: [{ name: 'a' }, { age: 3 }] } } });
      const after = await Parent.findById(p._id).lean();
      expect(after?.children).toEqual([{ name: 'b', age: 2 }]);
    } finally {
      await conn.close();
    }
  });
});
