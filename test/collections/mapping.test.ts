import { Double, Int32, Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import {
  classifyReference,
  enumWithDefault,
  legacyExtra,
  legacyIdOf,
  mixedJson,
  optionalDate,
  optionalInt,
  optionalString,
  requiredString,
  versionOf,
} from '../../src/collections/mapping/index.js';
import { oid, T0, T1 } from './fakeContext.js';

describe('legacyIdOf', () => {
  it('renders an ObjectId as 24 lower-case hex and a string _id as is', () => {
    expect(legacyIdOf(new ObjectId('65AB00000000000000000001'))).toBe('65ab00000000000000000001');
    expect(legacyIdOf('fees.bps')).toBe('fees.bps');
  });
  it('throws on an _id no collection has', () => {
    expect(() => legacyIdOf(42)).toThrow(/unsupported _id/);
    expect(() => legacyIdOf('')).toThrow(/unsupported _id/);
  });
});

describe('classifyReference', () => {
  it('follows the ids table of the policy', () => {
    expect(classifyReference(oid(1))).toEqual({ kind: 'id', legacyId: oid(1).toHexString() });
    expect(classifyReference('65AB00000000000000000001')).toEqual({
      kind: 'id',
      legacyId: '65ab00000000000000000001',
    });
    expect(classifyReference(null)).toEqual({ kind: 'absent' });
    expect(classifyReference(undefined)).toEqual({ kind: 'absent' });
    expect(classifyReference('tmpl_abc')).toMatchObject({ kind: 'invalid' });
    expect(classifyReference(12)).toMatchObject({ kind: 'invalid' });
    expect(classifyReference({ $oid: oid(1).toHexString() })).toMatchObject({ kind: 'invalid' });
  });
  it('accepts any non-empty string when the parent has string _ids', () => {
    expect(classifyReference('fees.bps', { stringIds: true })).toEqual({ kind: 'id', legacyId: 'fees.bps' });
    expect(classifyReference('', { stringIds: true })).toMatchObject({ kind: 'invalid' });
  });
});

describe('scalar readers', () => {
  it('ints: Int32, Long, integral Double and numbers; nothing coerced', () => {
    expect(optionalInt(new Int32(7), 'n')).toBe(7);
    expect(optionalInt(Long.fromNumber(7), 'n')).toBe(7);
    expect(optionalInt(new Double(7), 'n')).toBe(7);
    expect(optionalInt(-0, 'n')).toBe(0);
    expect(optionalInt(7.5, 'n')).toMatchObject({
      reject: 'invalid_type',
      message: 'n is number 7.5: not an integer',
    });
    expect(optionalInt('7', 'n')).toMatchObject({ reject: 'invalid_type', field: 'n' });
    expect(optionalInt(2 ** 31, 'n')).toMatchObject({
      reject: 'invalid_type',
      message: expect.stringMatching(/int4/),
    });
    expect(optionalInt(2 ** 31, 'n', 'int8')).toBe(2 ** 31);
    expect(optionalInt(Long.fromString('9007199254740993'), 'n', 'int8')).toMatchObject({
      reject: 'invalid_type',
    });
    expect(optionalInt(NaN, 'n')).toMatchObject({ reject: 'invalid_type' });
  });
  it('strings: byte for byte, no NUL', () => {
    expect(optionalString('  Ünïcødé 🎉 مرحبا  ', 's')).toBe('  Ünïcødé 🎉 مرحبا  ');
    expect(optionalString('a\u0000b', 's')).toMatchObject({
      reject: 'invalid_type',
      message: 's contains NUL',
    });
    expect(requiredString(null, 's')).toMatchObject({ reject: 'missing_field', field: 's' });
    expect(requiredString('', 's')).toBe('');
  });
  it('dates: Date only, valid only', () => {
    expect(optionalDate(T0, 'd')).toBe(T0);
    expect(optionalDate(T0.toISOString(), 'd')).toMatchObject({ reject: 'invalid_type' });
    expect(optionalDate(new Date(NaN), 'd')).toMatchObject({ reject: 'invalid_type' });
  });
  it('enums: absent → default, outside the enum (null included) → invalid_enum', () => {
    const roles = ['buyer', 'seller'] as const;
    expect(enumWithDefault(undefined, 'role', roles, 'buyer')).toBe('buyer');
    expect(enumWithDefault('seller', 'role', roles, 'buyer')).toBe('seller');
    expect(enumWithDefault('Seller', 'role', roles, 'buyer')).toMatchObject({ reject: 'invalid_enum' });
    expect(enumWithDefault(null, 'role', roles, 'buyer')).toMatchObject({ reject: 'invalid_enum' });
  });
});

describe('legacyExtra', () => {
  it('keeps undeclared fields, nested ones at their path, as canonical EJSON', () => {
    const doc = {
      _id: oid(1),
      __v: 3,
      createdAt: T0,
      a: 1,
      profile: { known: 'x', nick: 'y' },
      old: 1.5,
      when: T1,
    };
    expect(legacyExtra(doc, { a: true, profile: { known: true } })).toEqual({
      profile: { nick: 'y' },
      old: { $numberDouble: '1.5' },
      when: { $date: { $numberLong: String(T1.getTime()) } },
    });
  });
  it('is null when everything is declared', () => {
    expect(legacyExtra({ _id: oid(1), a: 1 }, { a: true })).toBeNull();
  });
  it('refuses what jsonb cannot store', () => {
    expect(legacyExtra({ _id: oid(1), x: 'a\u0000' }, {})).toMatchObject({ reject: 'invalid_type' });
  });
});

describe('mixedJson', () => {
  it('keeps plain JSON plain and wraps BSON values', () => {
    expect(mixedJson({ a: [1, 'x', true, null] }, 'v')).toEqual({ a: [1, 'x', true, null] });
    expect(mixedJson(oid(1), 'v')).toEqual({ $oid: oid(1).toHexString() });
    expect(mixedJson(null, 'v')).toBeNull();
    expect(mixedJson(undefined, 'v')).toBeNull();
    expect(mixedJson(0, 'v')).toBe(0);
  });
});

describe('versionOf', () => {
  it('is updatedAt ?? createdAt ?? ObjectId time', () => {
    expect(versionOf({ _id: oid(1), createdAt: T0, updatedAt: T1 })).toBe(T1);
    expect(versionOf({ _id: oid(1), createdAt: T0 })).toBe(T0);
    const id = ObjectId.createFromTime(1_700_000_000);
    expect(versionOf({ _id: id })).toEqual(new Date(1_700_000_000_000));
    expect(versionOf({ _id: 'fees.bps' })).toBeNull();
  });
});
