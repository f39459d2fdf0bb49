import { Decimal128, Double, Int32, Long, Timestamp } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError, useMongo } from './harness.js';

describe('update operators', () => {
  const h = useMongo();
  const coll = () => h().db.collection('upd');

  async function applied(seed: object, update: object): Promise<Record<string, unknown>> {
    const { insertedId } = await coll().insertOne({ ...seed });
    await coll().updateOne({ _id: insertedId }, update);
    const { _id: _ignored, ...rest } = (await coll().findOne({ _id: insertedId })) ?? {};
    return rest;
  }

  it('$set and $unset, including dotted paths and new subdocuments', async () => {
    expect(
      await applied({ a: 1, b: { c: 2 } }, { $set: { a: 5, 'b.d': 3, 'e.f': 'x' }, $unset: { 'b.c': '' } }),
    ).toEqual({
      a: 5,
      b: { d: 3 },
      e: { f: 'x' },
    });
    expect(await applied({ arr: [1, 2, 3] }, { $set: { 'arr.1': 20 } })).toEqual({ arr: [1, 20, 3] });
  });

  it('$inc and $mul keep MongoDB numeric types', async () => {
    const { insertedId } = await coll().insertOne({
      i: new Int32(1),
      d: new Double(1.5),
      l: Long.fromNumber(10),
      big: new Int32(2147483647),
    });
    await coll().updateOne(
      { _id: insertedId },
      { $inc: { i: new Int32(2), d: new Int32(1), l: new Int32(5), big: new Int32(1), fresh: new Int32(7) } },
    );
    const doc = await coll().findOne({ _id: insertedId }, { promoteValues: false });
    expect(doc?.i).toBeInstanceOf(Int32);
    expect((doc?.i as Int32).value).toBe(3);
    expect(doc?.d).toBeInstanceOf(Double);
    expect((doc?.d as Double).value).toBe(2.5);
    expect(doc?.l).toBeInstanceOf(Long);
    expect((doc?.l as Long).toNumber()).toBe(15);
    expect(doc?.big).toBeInstanceOf(Long); // int32 overflow promotes to long
    expect((doc?.big as Long).toString()).toBe('2147483648');
    expect((doc?.fresh as Int32).value).toBe(7);
    await coll().updateOne({ _id: insertedId }, { $mul: { i: new Int32(3), missing: new Int32(4) } });
    const mul = await coll().findOne({ _id: insertedId });
    expect(mul?.i).toBe(9);
    expect(mul?.missing).toBe(0);
  });

  it('$inc on a non-number is a TypeMismatch', async () => {
    const { insertedId } = await coll().insertOne({ s: 'text' });
    const err = await serverError(() => coll().updateOne({ _id: insertedId }, { $inc: { s: 1 } }));
    expect(err.code).toBe(14);
  });

  it('$min, $max, $rename and $currentDate', async () => {
    const doc = await applied(
      { lo: 5, hi: 5, old: 'v' },
      {
        $min: { lo: 3, newLo: 1 },
        $max: { hi: 4 },
        $rename: { old: 'renamed' },
        $currentDate: { at: true, ts: { $type: 'timestamp' } },
      },
    );
    expect(doc.lo).toBe(3);
    expect(doc.newLo).toBe(1);
    expect(doc.hi).toBe(5);
    expect(doc.renamed).toBe('v');
    expect(doc.old).toBeUndefined();
    expect(doc.at).toBeInstanceOf(Date);
    expect(doc.ts).toBeInstanceOf(Timestamp);
  });

  it('$push (with $each, $position, $slice, $sort), $addToSet, $pull, $pullAll and $pop', async () => {
    expect(await applied({ a: [1] }, { $push: { a: 2 } })).toEqual({ a: [1, 2] });
    expect(await applied({}, { $push: { a: { $each: [3, 1, 2] } } })).toEqual({ a: [3, 1, 2] });
    expect(await applied({ a: [5] }, { $push: { a: { $each: [1, 2], $position: 0 } } })).toEqual({
      a: [1, 2, 5],
    });
    expect(await applied({ a: [5, 1] }, { $push: { a: { $each: [3], $sort: 1, $slice: 2 } } })).toEqual({
      a: [1, 3],
    });
    expect(await applied({ a: [1, 2] }, { $addToSet: { a: 2 } })).toEqual({ a: [1, 2] });
    expect(await applied({ a: [1, 2] }, { $addToSet: { a: { $each: [2, 3, 3] } } })).toEqual({
      a: [1, 2, 3],
    });
    expect(await applied({ a: [1, 2, 3, 2] }, { $pull: { a: 2 } })).toEqual({ a: [1, 3] });
    expect(await applied({ a: [1, 5, 9] }, { $pull: { a: { $gte: 5 } } })).toEqual({ a: [1] });
    expect(
      await applied(
        {
          a: [
            { k: 1, v: 'x' },
            { k: 2, v: 'y' },
          ],
        },
        { $pull: { a: { k: 2 } } },
      ),
    ).toEqual({ a: [{ k: 1, v: 'x' }] });
    expect(await applied({ a: [1, 2, 3, 1] }, { $pullAll: { a: [1, 3] } })).toEqual({ a: [2] });
    expect(await applied({ a: [1, 2, 3] }, { $pop: { a: 1 } })).toEqual({ a: [1, 2] });
    expect(await applied({ a: [1, 2, 3] }, { $pop: { a: -1 } })).toEqual({ a: [2, 3] });
  });

  it('the positional $ updates the matched array element', async () => {
    const { insertedId } = await coll().insertOne({ tokens: [{ h: 'a' }, { h: 'b' }] });
    await coll().updateOne({ _id: insertedId, 'tokens.h': 'b' }, { $set: { 'tokens.$.revoked': true } });
    const doc = await coll().findOne({ _id: insertedId });
    expect(doc?.tokens).toEqual([{ h: 'a' }, { h: 'b', revoked: true }]);
  });

  it('replacement documents keep the _id; changing _id is refused', async () => {
    const { insertedId } = await coll().insertOne({ a: 1, b: 2 });
    const r = await coll().replaceOne({ _id: insertedId }, { c: 3 });
    expect(r.modifiedCount).toBe(1);
    expect(await coll().findOne({ _id: insertedId }, { projection: { _id: 0 } })).toEqual({ c: 3 });
    const err = await serverError(() => coll().updateOne({ _id: insertedId }, { $set: { _id: 'other' } }));
    expect(err.code).toBe(66);
  });

  it('reports matched/modified counts and updates many', async () => {
    await coll().insertMany([
      { grp: 'm', v: 1 },
      { grp: 'm', v: 1 },
      { grp: 'm', v: 2 },
    ]);
    const same = await coll().updateMany({ grp: 'm' }, { $set: { v: 1 } });
    expect(same.matchedCount).toBe(3);
    expect(same.modifiedCount).toBe(1);
    const none = await coll().updateOne({ grp: 'nobody' }, { $set: { v: 1 } });
    expect(none.matchedCount).toBe(0);
    expect(none.upsertedCount).toBe(0);
  });

  it('upserts with $setOnInsert, seeded from the query equality fields', async () => {
    const first = await coll().updateOne(
      { key: 'u1', kind: { $eq: 'x' } },
      { $set: { seen: 1 }, $setOnInsert: { created: 'yes' } },
      { upsert: true },
    );
    expect(first.upsertedCount).toBe(1);
    expect(first.upsertedId).toBeTruthy();
    const doc = await coll().findOne({ key: 'u1' }, { projection: { _id: 0 } });
    expect(doc).toEqual({ key: 'u1', kind: 'x', seen: 1, created: 'yes' });
    const second = await coll().updateOne(
      { key: 'u1' },
      { $set: { seen: 2 }, $setOnInsert: { created: 'again' } },
      { upsert: true },
    );
    expect(second.upsertedCount).toBe(0);
    expect(second.matchedCount).toBe(1);
    expect((await coll().findOne({ key: 'u1' }))?.created).toBe('yes');
    await coll().updateOne({ _id: 'custom-id' as never }, { $set: { v: 1 } }, { upsert: true });
    expect(await coll().findOne({ _id: 'custom-id' as never })).toEqual({ _id: 'custom-id', v: 1 });
  });

  it('rejects conflicting paths in one update', async () => {
    const { insertedId } = await coll().insertOne({ a: { b: 1 } });
    const err = await serverError(() =>
      coll().updateOne({ _id: insertedId }, { $set: { a: 1 }, $inc: { 'a.b': 1 } }),
    );
    expect(err.code).toBe(40);
  });

  it('Decimal128 $inc is exact', async () => {
    const { insertedId } = await coll().insertOne({ bal: Decimal128.fromString('0.1') });
    await coll().updateOne({ _id: insertedId }, { $inc: { bal: Decimal128.fromString('0.2') } });
    expect(((await coll().findOne({ _id: insertedId }))?.bal as Decimal128).toString()).toBe('0.3');
    await coll().updateOne({ _id: insertedId }, { $inc: { bal: new Int32(1) } });
    expect(((await coll().findOne({ _id: insertedId }))?.bal as Decimal128).toString()).toBe('1.3');
    await coll().updateOne(
      { _id: insertedId },
      { $inc: { bal: Decimal128.fromString('0.000000000000000001') } },
    );
    expect(((await coll().findOne({ _id: insertedId }))?.bal as Decimal128).toString()).toBe(
      '1.300000000000000001',
    );
  });
});
