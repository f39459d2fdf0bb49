import { EJSON } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { useMongo } from './harness.js';

/**
 * Field names that are also Object.prototype members are ordinary fields, as in MongoDB, and no update,
 * filter, projection, insert or pipeline can write onto the server process's Object.prototype (the
 * embedded server runs in this process, so a pollution would show up here and in every database).
 */
const HOSTILE = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
] as const;

/** A document from JSON text: JSON.parse makes `__proto__` an own field, as the BSON decoder does. */
/** Any _id (numbers, strings, ObjectIds) and any fields: these tests are about names, not schemas. */
interface Loose {
  _id: number | string;
  [key: string]: unknown;
}

const json = (text: string): Loose => JSON.parse(text) as Loose;
const ejson = (v: unknown): string => EJSON.stringify(v as Document, { relaxed: true });

function expectPristinePrototype(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  const probe: Record<string, unknown> = {};
  for (const k of ['x', 'polluted', 'y', 'z']) expect(probe[k]).toBeUndefined();
  expect(typeof probe.toString).toBe('function');
  expect(typeof probe.hasOwnProperty).toBe('function');
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

describe('prototype pollution', () => {
  const h = useMongo();
  const coll = () => h().db.collection<Loose>('hostile');

  afterEach(async () => {
    expectPristinePrototype();
    await coll().deleteMany({});
  });

  afterAll(async () => {
    // A real MongoDB keeps the second database; the embedded one goes with its server.
    await h().client.db(`${h().mongo.dbName}_b`).dropDatabase();
  });

  async function updated(update: Document, seed: Loose = { _id: 1, a: 'v' }): Promise<Document | null> {
    await coll().insertOne(seed);
    await coll().updateOne({ _id: seed._id }, update);
    return coll().findOne({ _id: seed._id });
  }

  it.each([
    ['$set', { $set: { '__proto__.x': 1 } }, '{"_id":1,"a":"v","__proto__":{"x":1}}'],
    ['$set (whole field)', { $set: { ['__proto__']: { x: 1 } } }, '{"_id":1,"a":"v","__proto__":{"x":1}}'],
    [
      '$set through constructor',
      { $set: { 'constructor.prototype.x': 1 } },
      '{"_id":1,"a":"v","constructor":{"prototype":{"x":1}}}',
    ],
    ['$inc', { $inc: { '__proto__.x': 1 } }, '{"_id":1,"a":"v","__proto__":{"x":1}}'],
    ['$min', { $min: { '__proto__.x': 1 } }, '{"_id":1,"a":"v","__proto__":{"x":1}}'],
    ['$max', { $max: { '__proto__.x': 1 } }, '{"_id":1,"a":"v","__proto__":{"x":1}}'],
    ['$mul', { $mul: { '__proto__.x': 3 } }, '{"_id":1,"a":"v","__proto__":{"x":0}}'],
    ['$push', { $push: { '__proto__.x': 1 } }, '{"_id":1,"a":"v","__proto__":{"x":[1]}}'],
    ['$addToSet', { $addToSet: { '__proto__.x': 1 } }, '{"_id":1,"a":"v","__proto__":{"x":[1]}}'],
    ['$rename', { $rename: { a: '__proto__.x' } }, '{"_id":1,"__proto__":{"x":"v"}}'],
    [
      '$rename via constructor',
      { $rename: { a: 'constructor.polluted' } },
      '{"_id":1,"constructor":{"polluted":"v"}}',
    ],
    [
      '$unset of an inherited member',
      { $unset: { '__proto__.toString': '', 'constructor.name': '' } },
      '{"_id":1,"a":"v"}',
    ],
  ])('%s writes an ordinary field', async (_name, update, expected) => {
    expect(ejson(await updated(update))).toBe(ejson(json(expected)));
  });

  it('$currentDate and $setOnInsert on an upsert write ordinary fields', async () => {
    await coll().updateOne(
      { _id: 2 },
      { $setOnInsert: { '__proto__.x': 1 }, $currentDate: { 'constructor.at': true } } as Document,
      { upsert: true },
    );
    const doc = await coll().findOne({ _id: 2 });
    expect(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value).toEqual({ x: 1 });
    expect((doc?.constructor as { at?: unknown }).at).toBeInstanceOf(Date);
  });

  it('leaves a second database of the same server unaffected', async () => {
    await updated({ $set: { '__proto__.x': 1 }, $rename: { a: '__proto__.y' } });
    await coll()
      .find({}, { projection: { '__proto__.z': 1 } })
      .toArray();
    const other = h().client.db(`${h().mongo.dbName}_b`).collection<Loose>('counters');
    await other.updateOne({ _id: 'c' }, { $inc: { x: 1 } } as Document, { upsert: true });
    expect(await other.findOne({ _id: 'c' })).toEqual({ _id: 'c', x: 1 });
    await other.insertOne({ _id: 'plain' });
    expect(await other.countDocuments({ x: { $exists: true } })).toBe(1);
    expect(await other.countDocuments({ x: 1 })).toBe(1);
  });

  it('round-trips every hostile field name, top level and nested, through insert and find', async () => {
    const doc = json(
      `{"_id":1,${HOSTILE.map((k, i) => `"${k}":${i}`).join(',')},"sub":{${HOSTILE.map((k) => `"${k}":{"k":"${k}"}`).join(',')}}}`,
    );
    await coll().insertOne(doc);
    expect(ejson(await coll().findOne({ _id: 1 }))).toBe(ejson(doc));
    const plain = { _id: 2, a: 1 };
    await coll().insertOne(plain);
    for (const [i, k] of HOSTILE.entries()) {
      expect(
        (
          await coll()
            .find({ [k]: i })
            .toArray()
        ).map((d) => d._id),
      ).toEqual([1]);
      expect(
        (
          await coll()
            .find({ [`sub.${k}.k`]: k })
            .toArray()
        ).map((d) => d._id),
      ).toEqual([1]);
      expect(await coll().countDocuments({ [k]: { $exists: true } })).toBe(1);
      expect(await coll().countDocuments({ [`${k}.x`]: { $exists: false } })).toBe(2);
      const projected = await coll().findOne({ _id: 1 }, { projection: { [k]: 1, _id: 0 } });
      expect(ejson(projected)).toBe(ejson(json(`{"${k}":${i}}`)));
      const excluded = await coll().findOne({ _id: 2 }, { projection: { [k]: 0 } });
      expect(excluded).toEqual(plain);
      expect(await coll().distinct(`sub.${k}.k`)).toEqual([k]);
    }
    const sorted = await coll()
      .find({})
      .sort({ ['__proto__']: -1 })
      .toArray();
    expect(sorted.map((d) => d._id)).toEqual([1, 2]);
  });

  it('filters on __proto__ and constructor paths see only own fields', async () => {
    await coll().insertMany([json('{"_id":1,"__proto__":{"x":1}}'), { _id: 2 }]);
    expect((await coll().find({ '__proto__.x': 1 }).toArray()).map((d) => d._id)).toEqual([1]);
    expect(await coll().countDocuments({ 'constructor.name': 'Object' })).toBe(0);
    expect(await coll().countDocuments({ toString: { $exists: true } })).toBe(0);
    expect(await coll().countDocuments({ $expr: { $eq: [{ $type: '$constructor' }, 'missing'] } })).toBe(2);
    // An upsert seeded from such a filter creates the field, it does not inherit it.
    await coll().updateOne({ '__proto__.y': 5 }, { $set: { z: 1 } }, { upsert: true });
    const seeded = await coll().findOne({ z: 1 });
    expect(Object.getOwnPropertyDescriptor(seeded, '__proto__')?.value).toEqual({ y: 5 });
  });

  it('projections name __proto__ paths without touching Object.prototype', async () => {
    await coll().insertOne(json('{"_id":1,"__proto__":{"x":1,"y":2},"a":3}'));
    const included = await coll().findOne({}, { projection: { '__proto__.x': 1 } });
    expect(ejson(included)).toBe(ejson(json('{"_id":1,"__proto__":{"x":1}}')));
    const excluded = await coll().findOne({}, { projection: { '__proto__.x': 0, 'constructor.x': 0 } });
    expect(ejson(excluded)).toBe(ejson(json('{"_id":1,"__proto__":{"y":2},"a":3}')));
    const nested = await coll().findOne({}, { projection: { ['__proto__']: { y: 1 }, _id: 0 } });
    expect(ejson(nested)).toBe(ejson(json('{"__proto__":{"y":2}}')));
  });

  it('aggregation stages and expressions treat hostile names as fields', async () => {
    await coll().insertMany([json('{"_id":1,"__proto__":{"x":1},"a":"p"}'), { _id: 2, a: 'q' }]);
    const pipeline = [
      { $sort: { _id: 1 } },
      { $addFields: { 'constructor.x': '$a' } },
      { $project: { '__proto__.x': 1, 'constructor.x': 1, missing: '$toString' } },
    ];
    const out = await coll().aggregate(pipeline).toArray();
    expect(ejson(out)).toBe(
      ejson(
        json('[{"_id":1,"__proto__":{"x":1},"constructor":{"x":"p"}},{"_id":2,"constructor":{"x":"q"}}]'),
      ),
    );
    const grouped = await coll()
      .aggregate([
        {
          $group: {
            _id: { ['__proto__']: '$__proto__.x' },
            ['__proto__']: { $sum: 1 },
            constructor: { $max: '$a' },
          },
        },
        { $sort: { constructor: 1 } },
      ])
      .toArray();
    expect(ejson(grouped)).toBe(
      ejson(
        json(
          '[{"_id":{"__proto__":1},"__proto__":1,"constructor":"p"},{"_id":{},"__proto__":1,"constructor":"q"}]',
        ),
      ),
    );
    const merged = await coll()
      .aggregate([
        { $match: { _id: 2 } },
        { $replaceWith: { $mergeObjects: ['$$ROOT', { ['__proto__']: { x: 9 } }] } },
      ])
      .toArray();
    expect(ejson(merged)).toBe(ejson(json('[{"_id":2,"a":"q","__proto__":{"x":9}}]')));
  });
});
