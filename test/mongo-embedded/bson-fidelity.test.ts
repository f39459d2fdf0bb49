import {
  Binary,
  BSONRegExp,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useMongo } from './harness.js';

describe('BSON fidelity', () => {
  const h = useMongo();

  it('keeps Int32, Double, Long and Decimal128 types as stored', async () => {
    const c = h().db.collection('types');
    const { insertedId } = await c.insertOne({
      i: new Int32(1),
      d: new Double(1),
      frac: 1.25,
      l: Long.fromNumber(7),
      m: Decimal128.fromString('1.50'),
    });
    const raw = await c.findOne({ _id: insertedId }, { promoteValues: false });
    expect(raw?.i).toBeInstanceOf(Int32);
    expect(raw?.d).toBeInstanceOf(Double);
    expect((raw?.d as Double).value).toBe(1);
    expect(raw?.frac).toBeInstanceOf(Double);
    expect(raw?.l).toBeInstanceOf(Long);
    expect((raw?.m as Decimal128).toString()).toBe('1.50');
    // Matching across numeric types is by value.
    expect(await c.countDocuments({ i: new Double(1) })).toBe(1);
    expect(await c.countDocuments({ d: Long.fromNumber(1) })).toBe(1);
    expect(await c.countDocuments({ m: Decimal128.fromString('1.5') })).toBe(1);
    expect(await c.countDocuments({ m: 1.5 })).toBe(1);
    expect(
      await c.countDocuments({ m: { $gt: new Int32(1), $lt: Decimal128.fromString('1.5000001') } }),
    ).toBe(1);
  });

  it('round-trips a Long beyond 2^53 exactly and compares it exactly', async () => {
    const c = h().db.collection('longs');
    await c.insertMany([
      { k: 'a', v: Long.fromString('9007199254740992') },
      { k: 'b', v: Long.fromString('9007199254740993') },
    ]);
    const b = await c.findOne({ k: 'b' }, { useBigInt64: true });
    expect(b?.v).toBe(9007199254740993n);
    expect(await c.countDocuments({ v: Long.fromString('9007199254740993') })).toBe(1);
    expect(
      (await c.find({ v: { $gt: Long.fromString('9007199254740992') } }).toArray()).map((d) => d.k),
    ).toEqual(['b']);
    // A double cannot hold 2^53+1: the long is strictly greater than the double 2^53.
    expect((await c.find({ v: { $gt: 9007199254740992 } }).toArray()).map((d) => d.k)).toEqual(['b']);
  });

  it('keeps dates, ObjectIds and binary data', async () => {
    const c = h().db.collection('misc');
    const when = new Date('2024-02-29T12:34:56.789Z');
    const oid = new ObjectId();
    const bin = new Binary(Buffer.from([1, 2, 3]), 4);
    await c.insertOne({ when, oid, bin });
    const doc = await c.findOne({ when });
    expect(doc?.when).toEqual(when);
    expect((doc?.oid as ObjectId).equals(oid)).toBe(true);
    expect(Buffer.from((doc?.bin as Binary).buffer)).toEqual(Buffer.from([1, 2, 3]));
    expect((doc?.bin as Binary).sub_type).toBe(4);
    expect(
      await c.countDocuments({ when: { $gte: new Date('2024-01-01'), $lt: new Date('2025-01-01') } }),
    ).toBe(1);
  });

  it('sorts mixed types in MongoDB order, numbers of every type by value', async () => {
    const c = h().db.collection('mixed');
    const values: [string, unknown][] = [
      ['maxkey', new MaxKey()],
      ['regex', new BSONRegExp('a', 'i')],
      ['timestamp', new Timestamp({ t: 1, i: 1 })],
      ['date', new Date(0)],
      ['true', true],
      ['false', false],
      ['oid', new ObjectId('000000000000000000000001')],
      ['bin', new Binary(Buffer.from([9]))],
      ['object', { a: 1 }],
      ['string', 'abc'],
      ['dec-2.5', Decimal128.fromString('2.5')],
      ['long-2', Long.fromNumber(2)],
      ['double-1.5', 1.5],
      ['int-1', new Int32(1)],
      ['dec--1', Decimal128.fromString('-1')],
      ['null', null],
      ['minkey', new MinKey()],
    ];
    await c.insertMany(values.map(([k, v]) => ({ k, v })));
    const order = (await c.find({}).sort({ v: 1 }).toArray()).map((d) => d.k);
    expect(order).toEqual([
      'minkey',
      'null',
      'dec--1',
      'int-1',
      'double-1.5',
      'long-2',
      'dec-2.5',
      'string',
      'object',
      'bin',
      'oid',
      'false',
      'true',
      'date',
      'timestamp',
      'regex',
      'maxkey',
    ]);
    const desc = (
      await c
        .find({ v: { $type: 'number' } })
        .sort({ v: -1 })
        .toArray()
    ).map((d) => d.k);
    expect(desc).toEqual(['dec-2.5', 'long-2', 'double-1.5', 'int-1', 'dec--1']);
  });

  it('compares Decimal128 exactly against doubles', async () => {
    const c = h().db.collection('dec-cmp');
    await c.insertOne({ v: Decimal128.fromString('0.1') });
    // The double 0.1 is 0.1000000000000000055…, not the decimal 0.1.
    expect(await c.countDocuments({ v: 0.1 })).toBe(0);
    expect(await c.countDocuments({ v: { $lt: 0.1 } })).toBe(1);
    expect(await c.countDocuments({ v: Decimal128.fromString('0.10') })).toBe(1);
  });
});
