import { describe, expect, it } from 'vitest';
import { levelConfigsSpec } from '../../src/collections/levelconfigs/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const map = (doc: LegacyDoc) => levelConfigsSpec.map(doc, new FakeContext());
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(20),
  level: 3,
  name: 'Silver',
  minPoints: 300,
  feeDiscountBps: 25,
  benefits: ['badge', 'free_listing'],
  createdAt: T0,
  updatedAt: T1,
});

describe('levelconfigs mapper', () => {
  it('maps a clean document', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        level: 3,
        name: 'Silver',
        minPoints: 300,
        feeDiscountBps: 25,
        benefits: ['badge', 'free_listing'],
      },
    });
    expect(levelConfigsSpec.references).toEqual([]);
  });

  it('level is the by-value key: required and integral', () => {
    expect(map({ ...clean(), level: null })).toMatchObject({ reject: 'missing_field', field: 'level' });
    expect(map({ ...clean(), level: '3' })).toMatchObject({ reject: 'invalid_type', field: 'level' });
    expect(map({ ...clean(), level: 3.5 })).toMatchObject({ reject: 'invalid_type', field: 'level' });
  });

  it('benefits: empty stays empty, absent is NULL, nulls skipped with an anomaly, repeats kept', () => {
    expect(mapped({ ...clean(), benefits: [] }).row.benefits).toEqual([]);
    const { benefits: _, ...none } = clean();
    expect(mapped(none as LegacyDoc).row.benefits).toBeNull();
    const result = mapped({ ...clean(), benefits: ['badge', null, 'badge'] });
    expect(result.row.benefits).toEqual(['badge', 'badge']);
    expect(result.anomalies).toEqual([
      { code: 'null_array_element', field: 'benefits.1', message: 'benefits[1] is null; skipped' },
    ]);
    expect(map({ ...clean(), benefits: ['badge', 3] })).toMatchObject({
      reject: 'invalid_type',
      field: 'benefits.1',
    });
  });

  it('missing timestamps and unknown fields', () => {
    const { createdAt: _c, updatedAt: _u, ...old } = clean();
    const row = mapped({ ...old, legacyFlag: true } as LegacyDoc).row;
    expect(row).toMatchObject({ createdAt: null, updatedAt: null, legacyExtra: { legacyFlag: true } });
  });
});
