import { Decimal128, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { configSettingsSpec } from '../../src/collections/configsettings/spec.js';
import { legacyIdOf } from '../../src/collections/mapping/index.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const admin = oid(1);
const adminUuid = ctx.add('users', admin);
const map = (doc: LegacyDoc) => configSettingsSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(30),
  key: 'fees.bps',
  value: { enabled: true, limits: { daily: 1000, currencies: ['USDT'] }, note: null },
  description: 'Controls fees bps.',
  updatedBy: admin,
  createdAt: T0,
  updatedAt: T1,
});

describe('configsettings mapper', () => {
  it('maps a clean (ObjectId _id) document; the value stays plain JSON', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        key: 'fees.bps',
        value: { enabled: true, limits: { daily: 1000, currencies: ['USDT'] }, note: null },
        description: 'Controls fees bps.',
        updatedById: adminUuid,
      },
    });
  });

  it('a pre-2024 row has its key as a string _id: legacy id is the key, and a missing key falls back to it', () => {
    const old: LegacyDoc = { ...clean(), _id: 'fees.bps' };
    expect(legacyIdOf(old._id)).toBe('fees.bps');
    expect(mapped(old).row.key).toBe('fees.bps');
    const { key: _, ...keyless } = old;
    expect(mapped(keyless as LegacyDoc).row.key).toBe('fees.bps');
  });

  it('an ObjectId row without a key → missing_field', () => {
    const { key: _, ...keyless } = clean();
    expect(map(keyless as LegacyDoc)).toMatchObject({ reject: 'missing_field', field: 'key' });
  });

  it('every JSON kind of Mixed value; BSON values keep their $-wrapper; null → NULL', () => {
    for (const value of [7, 0.125, 'text', false, [1, 'USD', true], []]) {
      expect(mapped({ ...clean(), value }).row.value).toEqual(value);
    }
    expect(mapped({ ...clean(), value: null }).row.value).toBeNull();
    expect(mapped({ ...clean(), value: Decimal128.fromString('1.50') }).row.value).toEqual({
      $numberDecimal: '1.50',
    });
    expect(mapped({ ...clean(), value: T0 }).row.value).toEqual({ $date: '2024-03-01T10:00:00Z' });
  });

  it('updatedBy: absent/null → NULL; orphan → NULL + dangling_reference; not an id → invalid_reference', () => {
    expect(mapped({ ...clean(), updatedBy: null }).row.updatedById).toBeNull();
    const gone = new ObjectId();
    const result = mapped({ ...clean(), updatedBy: gone });
    expect(result.row.updatedById).toBeNull();
    expect(result.anomalies).toEqual([
      {
        code: 'dangling_reference',
        field: 'updatedBy',
        message: `updatedBy ${gone.toHexString()} has no users row; stored as NULL`,
      },
    ]);
    expect(mapped({ ...clean(), updatedBy: admin.toHexString() }).row.updatedById).toBe(adminUuid);
    expect(map({ ...clean(), updatedBy: 'admin' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'updatedBy',
    });
  });

  it('unicode, unknown fields, missing timestamps', () => {
    const { createdAt: _c, updatedAt: _u, ...old } = clean();
    const row = mapped({ ...old, description: 'رسوم 💸', oldScore: 1.5 } as LegacyDoc).row;
    expect(row).toMatchObject({
      description: 'رسوم 💸',
      createdAt: null,
      updatedAt: null,
      legacyExtra: { oldScore: { $numberDouble: '1.5' } },
    });
  });

  it('a value jsonb cannot store (NUL) rejects', () => {
    expect(map({ ...clean(), value: { a: 'x\u0000y' } })).toMatchObject({
      reject: 'invalid_type',
      field: 'value',
    });
  });
});
