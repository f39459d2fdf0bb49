import { ObjectId, type CommandSucceededEvent } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError, useMongo } from './harness.js';

describe('CRUD, cursors, count and distinct', () => {
  const h = useMongo({ monitorCommands: true });

  it('inserts and finds with filter, sort, projection, skip and limit', async () => {
    const c = h().db.collection('people');
    const res = await c.insertMany([
      { name: 'ann', age: 31, tags: ['a', 'b'], address: { city: 'Oslo', zip: '0150' } },
      { name: 'bob', age: 25, tags: ['b'], address: { city: 'Bergen' } },
      { name: 'cid', age: 40, tags: [], address: { city: 'Oslo' } },
      { name: 'dee', tags: ['c'] },
    ]);
    expect(res.insertedCount).toBe(4);
    const oslo = await c
      .find({ 'address.city': 'Oslo' }, { projection: { _id: 0, name: 1 } })
      .sort({ name: 1 })
      .toArray();
    expect(oslo).toEqual([{ name: 'ann' }, { name: 'cid' }]);
    const page = await c.find({}).sort({ age: -1 }).skip(1).limit(2).project({ name: 1, _id: 0 }).toArray();
    expect(page).toEqual([{ name: 'ann' }, { name: 'bob' }]);
    const excl = await c.findOne({ name: 'ann' }, { projection: { address: 0, tags: 0 } });
    expect(Object.keys(excl ?? {}).sort()).toEqual(['_id', 'age', 'name']);
    const nested = await c.findOne({ name: 'ann' }, { projection: { 'address.city': 1, _id: 0 } });
    expect(nested).toEqual({ address: { city: 'Oslo' } });
  });

  it('matches query operators, arrays and dotted paths', async () => {
    const c = h().db.collection('people');
    const names = async (filter: object) =>
      (await c.find(filter).sort({ name: 1 }).toArray()).map((d) => d.name as string);
    expect(await names({ age: { $gte: 30 } })).toEqual(['ann', 'cid']);
    expect(await names({ age: { $exists: false } })).toEqual(['dee']);
    expect(await names({ age: null })).toEqual(['dee']);
    expect(await names({ tags: 'b' })).toEqual(['ann', 'bob']);
    expect(await names({ tags: { $size: 0 } })).toEqual(['cid']);
    expect(await names({ tags: { $all: ['a', 'b'] } })).toEqual(['ann']);
    expect(await names({ name: { $in: ['bob', 'dee', 'zed'] } })).toEqual(['bob', 'dee']);
    expect(await names({ name: { $nin: ['bob', 'dee'] } })).toEqual(['ann', 'cid']);
    expect(await names({ name: { $regex: '^[ab]' } })).toEqual(['ann', 'bob']);
    expect(await names({ name: /^C/i })).toEqual(['cid']);
    expect(await names({ $or: [{ age: 25 }, { name: 'dee' }] })).toEqual(['bob', 'dee']);
    expect(await names({ $nor: [{ age: { $lt: 30 } }, { age: { $exists: false } }] })).toEqual([
      'ann',
      'cid',
    ]);
    expect(await names({ age: { $not: { $gt: 30 } } })).toEqual(['bob', 'dee']);
    expect(await names({ age: { $type: 'number' } })).toEqual(['ann', 'bob', 'cid']);
    expect(await names({ 'address.zip': { $ne: '0150' }, age: { $lt: 100 } })).toEqual(['bob', 'cid']);
    expect(await names({ age: { $gt: '20' } })).toEqual([]); // type bracketing: numbers never compare to strings
  });

  it('supports $elemMatch on arrays of documents', async () => {
    const c = h().db.collection('orders');
    await c.insertMany([
      {
        n: 1,
        items: [
          { sku: 'x', qty: 1 },
          { sku: 'y', qty: 5 },
        ],
      },
      { n: 2, items: [{ sku: 'x', qty: 5 }] },
    ]);
    const hit = await c.find({ items: { $elemMatch: { sku: 'x', qty: { $gte: 5 } } } }).toArray();
    expect(hit.map((d) => d.n)).toEqual([2]);
    const loose = await c
      .find({ 'items.sku': 'x', 'items.qty': { $gte: 5 } })
      .sort({ n: 1 })
      .toArray();
    expect(loose.map((d) => d.n)).toEqual([1, 2]);
    expect((await c.find({ 'items.0.sku': 'x' }).toArray()).length).toBe(2);
  });

  it('pages through more than 101 documents with getMore and honours batchSize', async () => {
    const c = h().db.collection('many');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const events: CommandSucceededEvent[] = [];
    const listener = (e: CommandSucceededEvent) => events.push(e);
    h().client.on('commandSucceeded', listener);
    try {
      const all = await c.find({}).sort({ i: 1 }).toArray();
      expect(all.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
      const firstReply = events.find((e) => e.commandName === 'find')?.reply as {
        cursor: { firstBatch: unknown[] };
      };
      expect(firstReply.cursor.firstBatch.length).toBe(101);
      expect(events.filter((e) => e.commandName === 'getMore').length).toBeGreaterThanOrEqual(1);

      events.length = 0;
      const batched = await c.find({ i: { $lt: 200 } }, { batchSize: 50 }).toArray();
      expect(batched.length).toBe(200);
      expect(events.filter((e) => e.commandName === 'getMore').length).toBeGreaterThanOrEqual(3);

      const single = await c.find({}).limit(-5).toArray();
      expect(single.length).toBe(5);
    } finally {
      h().client.off('commandSucceeded', listener);
    }
  });

  it('kills cursors, and a killed cursor is CursorNotFound', async () => {
    const c = h().db.collection('many');
    const cursor = c.find({}, { batchSize: 10 });
    await cursor.next();
    const id = cursor.id;
    expect(id?.isZero()).toBe(false);
    await cursor.close();
    const err = await serverError(() => h().db.command({ getMore: id, collection: 'many' }));
    expect(err.code).toBe(43);
    expect(err.codeName).toBe('CursorNotFound');
    const killed = await h().db.command({ killCursors: 'many', cursors: [id] });
    expect(killed.ok).toBe(1);
  });

  it('counts, estimates and lists distinct values', async () => {
    const c = h().db.collection('many');
    expect(await c.countDocuments()).toBe(250);
    expect(await c.countDocuments({ i: { $gte: 200 } })).toBe(50);
    expect(await c.countDocuments({}, { skip: 10, limit: 5 })).toBe(5);
    expect(await c.estimatedDocumentCount()).toBe(250);
    const people = h().db.collection('people');
    expect((await people.distinct('tags')).sort()).toEqual(['a', 'b', 'c']);
    expect((await people.distinct('address.city', { age: { $lt: 35 } })).sort()).toEqual(['Bergen', 'Oslo']);
  });

  it('deletes one or many', async () => {
    const c = h().db.collection('del');
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }, { k: 3 }]);
    expect((await c.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ k: { $gte: 1 } })).deletedCount).toBe(3);
    expect(await c.countDocuments()).toBe(0);
  });

  it('findOneAndUpdate / findOneAndDelete / findOneAndReplace', async () => {
    const c = h().db.collection('fam');
    await c.insertMany([
      { q: 'a', v: 1 },
      { q: 'a', v: 2 },
      { q: 'b', v: 3 },
    ]);
    const before = await c.findOneAndUpdate(
      { q: 'a' },
      { $inc: { v: 10 } },
      { sort: { v: -1 }, returnDocument: 'before' },
    );
    expect(before?.v).toBe(2);
    const after = await c.findOneAndUpdate(
      { q: 'a' },
      { $set: { seen: true } },
      { sort: { v: -1 }, returnDocument: 'after', projection: { _id: 0 } },
    );
    expect(after).toEqual({ q: 'a', v: 12, seen: true });
    const none = await c.findOneAndUpdate({ q: 'zzz' }, { $set: { v: 0 } });
    expect(none).toBeNull();
    const upserted = await c.findOneAndUpdate(
      { q: 'new' },
      { $setOnInsert: { v: 99 } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(upserted?.v).toBe(99);
    expect(upserted?._id).toBeInstanceOf(ObjectId);
    const removed = await c.findOneAndDelete({ q: 'b' });
    expect(removed?.v).toBe(3);
    const replaced = await c.findOneAndReplace(
      { q: 'new' },
      { q: 'newer', v: 1 },
      { returnDocument: 'after' },
    );
    expect(replaced?.q).toBe('newer');
    expect(replaced?._id.equals(upserted?._id)).toBe(true);
    expect(await c.countDocuments()).toBe(3);
  });

  it('rejects array _ids and reports a duplicate _id', async () => {
    const c = h().db.collection('ids');
    await c.insertOne({ _id: 'k1' as never });
    const dup = await serverError(() => c.insertOne({ _id: 'k1' as never }));
    expect(dup.code).toBe(11000);
    expect(dup.keyPattern).toEqual({ _id: 1 });
    expect(dup.keyValue).toEqual({ _id: 'k1' });
    const arr = await serverError(() => c.insertOne({ _id: [1, 2] as never }));
    expect(arr.code).toBeTypeOf('number');
  });
});
