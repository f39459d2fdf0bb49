import { Decimal128, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MapBuilder } from '../../src/collections/mapping/builder.js';
import {
  classifyMixed,
  mixedRef,
  polymorphicRef,
  resolveMixed,
} from '../../src/collections/mapping/mixed.js';
import { FieldReject } from '../../src/collections/mapping/reject.js';
import { refKind } from '../../src/db/schema/refKind.js';
import { FakeContext, oid } from './fakeContext.js';

const ctx = new FakeContext();
const pr = oid(7);
const prUuid = ctx.add('purchaserequests', pr);
const ref = { field: 'purchaseRequestId', parent: 'purchaserequests' };
const resolve = (value: unknown) => resolveMixed(ctx, value, ref);

// One test per row of docs/data-policy.md "Mixed references", in the table's order.
describe('Mixed references (docs/data-policy.md)', () => {
  it('the kinds are the ref_kind enum', () => {
    expect(refKind.enumValues).toEqual(['entity', 'template', 'external', 'dangling', 'none']);
  });

  it('ObjectId whose parent exists → entity, FK set, no external ref', () => {
    expect(resolve(pr)).toEqual({ kind: 'entity', id: prUuid, externalRef: null });
  });

  it('24-hex string whose parent exists → entity (either case)', () => {
    expect(resolve(pr.toHexString())).toEqual({ kind: 'entity', id: prUuid, externalRef: null });
    expect(resolve(pr.toHexString().toUpperCase())).toEqual({
      kind: 'entity',
      id: prUuid,
      externalRef: null,
    });
  });

  it('ObjectId / 24-hex string whose parent is gone → dangling, the id kept as external ref + anomaly', () => {
    const gone = new ObjectId();
    const expected = {
      kind: 'dangling',
      id: null,
      externalRef: gone.toHexString(),
      anomaly: {
        code: 'dangling_reference',
        field: 'purchaseRequestId',
        message: `purchaseRequestId ${gone.toHexString()} has no purchaserequests row; kept as a dangling ref`,
      },
    };
    expect(resolve(gone)).toEqual(expected);
    expect(resolve(gone.toHexString().toUpperCase())).toEqual(expected); // the legacy id is lower-case hex
  });

  it('tmpl_… string → template, the string kept, no anomaly', () => {
    expect(resolve('tmpl_checkout_42')).toEqual({
      kind: 'template',
      id: null,
      externalRef: 'tmpl_checkout_42',
    });
  });

  it('any other non-empty string → external + unrecognised_reference', () => {
    for (const value of ['order-42', ' ', 'TMPL_x', 'Заказ 🦄', pr.toHexString().slice(1)]) {
      expect(resolve(value)).toMatchObject({
        kind: 'external',
        id: null,
        externalRef: value,
        anomaly: { code: 'unrecognised_reference', field: 'purchaseRequestId' },
      });
    }
  });

  it('null, absent or empty string → none', () => {
    for (const value of [null, undefined, '']) {
      expect(resolve(value)).toEqual({ kind: 'none', id: null, externalRef: null });
    }
  });

  it('any other type → reject invalid_reference naming the field', () => {
    for (const value of [
      42,
      true,
      { $oid: pr.toHexString() },
      [pr],
      new Date(0),
      Decimal128.fromString('1'),
    ]) {
      const result = resolve(value);
      expect(result).toBeInstanceOf(FieldReject);
      expect(result).toMatchObject({ reject: 'invalid_reference', field: 'purchaseRequestId' });
    }
    expect(resolve('a\u0000b')).toMatchObject({ reject: 'invalid_reference' }); // text cannot hold NUL
  });

  it('classifies without a lookup', () => {
    expect(classifyMixed(pr, 'x')).toEqual({ kind: 'id', legacyId: pr.toHexString() });
    expect(classifyMixed('tmpl_1', 'x')).toEqual({ kind: 'template', ref: 'tmpl_1' });
  });
});

describe('mixedRef (the mapper side)', () => {
  it('yields the three columns under the field key and records the anomaly on the builder', () => {
    const b = new MapBuilder(ctx);
    const row = { ...mixedRef(b, ctx, 'purchaseRequest', 'legacy-7', ref) };
    expect(row).toEqual({
      purchaseRequestId: null,
      purchaseRequestExternalRef: 'legacy-7',
      purchaseRequestRefKind: 'external',
    });
    expect(b.finish(row)).toMatchObject({ anomalies: [{ code: 'unrecognised_reference' }] });
  });

  it('a reject wins over the placeholder columns', () => {
    const b = new MapBuilder(ctx);
    const row = mixedRef(b, ctx, 'purchaseRequest', 3.5, ref);
    expect(row.purchaseRequestRefKind).toBe('none');
    expect(b.finish(row)).toMatchObject({ reject: 'invalid_reference', field: 'purchaseRequestId' });
  });
});

describe('polymorphic references (pointtransactions.referenceId)', () => {
  it('id / string / none, never resolved; other types reject', () => {
    expect(polymorphicRef(pr, 'referenceId')).toEqual({ kind: 'id', externalRef: pr.toHexString() });
    expect(polymorphicRef(pr.toHexString().toUpperCase(), 'referenceId')).toEqual({
      kind: 'id',
      externalRef: pr.toHexString(),
    });
    expect(polymorphicRef('tmpl_9', 'referenceId')).toEqual({ kind: 'string', externalRef: 'tmpl_9' });
    expect(polymorphicRef('promo-spring', 'referenceId')).toEqual({
      kind: 'string',
      externalRef: 'promo-spring',
    });
    expect(polymorphicRef(undefined, 'referenceId')).toEqual({ kind: 'none', externalRef: null });
    expect(polymorphicRef('', 'referenceId')).toEqual({ kind: 'none', externalRef: null });
    expect(polymorphicRef(12, 'referenceId')).toMatchObject({
      reject: 'invalid_reference',
      field: 'referenceId',
    });
  });
});
