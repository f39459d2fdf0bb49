import { Decimal128, Int32, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import {
  atOrdinals,
  decimalValue,
  documentOf,
  mixed,
  mixedRefValue,
  mixedValueOf,
  present,
  verbatim,
} from '../../src/collections/unmapping.js';
import type { LegacyId, PgUuid } from '../../src/db/ids.js';

/** The helpers every reverse mapping (src/collections/<c>/unmap.ts) is built on, without a database. */

const id = new ObjectId('5eed00000000000000000001');
const legacyIdOf = (uuid: PgUuid | null | undefined) =>
  uuid === 'uuid-1' ? (id.toHexString() as LegacyId) : undefined;

describe('decimalValue', () => {
  it('drops the column scale: the shortest exact text, as Decimal128', () => {
    expect(decimalValue('1234.000000000000000000')).toEqual(Decimal128.fromString('1234'));
    expect(decimalValue('12.500000000000000000')).toEqual(Decimal128.fromString('12.5'));
    expect(decimalValue('-0.000000000000000001')).toEqual(Decimal128.fromString('-0.000000000000000001'));
    expect(decimalValue('0.000000000000000000')).toEqual(Decimal128.fromString('0'));
    expect(decimalValue('100')).toEqual(Decimal128.fromString('100'));
    expect(decimalValue(null)).toBeUndefined();
  });
  it('keeps 34 significant digits as Decimal128, and returns more as the exact numeric string', () => {
    const d34 = '-9999999999999999.999999999999999999';
    expect(decimalValue(d34)).toEqual(Decimal128.fromString(d34));
    expect(decimalValue('12345678901234567890.123456789012345678')).toBe(
      '12345678901234567890.123456789012345678',
    );
    expect(decimalValue('12345678901234567890.123456789012345000')).toBe(
      '12345678901234567890.123456789012345',
    );
  });
});

describe('documentOf', () => {
  it('drops NULL fields and sub-documents left empty', () => {
    expect(documentOf({ a: 1, b: null, c: undefined, d: { e: null }, f: { g: 2, h: null } })).toEqual({
      a: 1,
      f: { g: 2 },
    });
  });
  it('merges legacy_extra deeply: an undeclared key nested in a declared sub-document comes back', () => {
    const extra = { legacy: { $numberInt: '1' }, profile: { nickname: 'n', deep: { x: 'y' } } };
    expect(documentOf({ profile: { firstName: 'A', deep: { z: 1 } } }, extra)).toEqual({
      legacy: new Int32(1), // canonical EJSON: the BSON type comes back
      profile: { nickname: 'n', firstName: 'A', deep: { x: 'y', z: 1 } },
    });
    // The declared sub-document all NULL: the undeclared part alone.
    expect(documentOf({ profile: { firstName: null } }, extra).profile).toEqual({
      nickname: 'n',
      deep: { x: 'y' },
    });
  });
  it('keeps Mixed values verbatim, nulls and {} inside included; SQL NULL is absent', () => {
    const json = { note: null, empty: {}, list: [null], id: { $oid: id.toHexString() }, n: 3 };
    expect(documentOf({ value: mixed(json), other: mixed(null), raw: verbatim({ a: null }) })).toEqual({
      value: { note: null, empty: {}, list: [null], id, n: 3 },
      raw: { a: null },
    });
    expect(mixedValueOf({ $numberDecimal: '1.50' })).toEqual(Decimal128.fromString('1.50'));
    expect(mixedValueOf(null)).toBeUndefined();
  });
  it('keeps array elements as built: {} stays {}, undefined becomes null', () => {
    expect(documentOf({ list: [{}, undefined, null, { a: 1 }], none: [] })).toEqual({
      list: [{}, null, null, { a: 1 }],
      none: [],
    });
  });
  it('keeps a present sub-document, as {} when every field is NULL', () => {
    const fields = (row?: { m: unknown }) => ({ info: row && present({ method: row.m }) });
    expect(documentOf(fields({ m: null }))).toEqual({ info: {} });
    expect(documentOf(fields({ m: 'post' }))).toEqual({ info: { method: 'post' } });
    expect(documentOf(fields(undefined))).toEqual({});
    expect(documentOf(fields({ m: null }), { info: { note: 'n' } })).toEqual({ info: { note: 'n' } });
  });
});

describe('atOrdinals', () => {
  it('puts each row at its ordinal, with nulls for the gaps', () => {
    const rows = [
      { ordinal: 1, v: 'a' },
      { ordinal: 2, v: 'b' },
      { ordinal: 5, v: 'c' },
    ];
    expect(atOrdinals(rows, (row) => row.v)).toEqual([null, 'a', 'b', null, null, 'c']);
    expect(atOrdinals([], (row) => row)).toEqual([]);
  });
});

describe('mixedRefValue', () => {
  it('reads the three columns of a Mixed reference', () => {
    const row = (kind: string, ref: string | null, uuid: string | null = null) => ({
      sellerRefKind: kind,
      sellerExternalRef: ref,
      sellerId: uuid,
    });
    expect(mixedRefValue(row('entity', null, 'uuid-1'), 'seller', legacyIdOf)).toEqual(id);
    expect(mixedRefValue(row('dangling', id.toHexString()), 'seller', legacyIdOf)).toEqual(id);
    expect(mixedRefValue(row('template', 'tmpl_x'), 'seller', legacyIdOf)).toBe('tmpl_x');
    expect(mixedRefValue(row('external', 'ext'), 'seller', legacyIdOf)).toBe('ext');
    expect(mixedRefValue(row('none', null), 'seller', legacyIdOf)).toBeUndefined();
  });
});
