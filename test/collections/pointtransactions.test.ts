import { Int32, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { pointTransactionsSpec } from '../../src/collections/pointtransactions/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { pointTransactionType } from '../../src/db/schema/pointTransactions.js';
import { POINT_TRANSACTION_TYPES } from '../../src/mongo/models/pointTransaction.js';
import { FakeContext, oid, T0 } from './fakeContext.js';

const ctx = new FakeContext();
const user = ctx.add('users', oid(1));
const map = (doc: LegacyDoc) => pointTransactionsSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(500),
  userId: oid(1),
  type: 'referral_bonus',
  points: 50,
  balanceAfter: 1284,
  referenceType: 'User',
  referenceId: oid(2), // a user that need not be migrated: polymorphic, never resolved
  metadata: { campaign: 'spring' },
  createdAt: T0,
});

describe('pointtransactions mapper', () => {
  it('maps a clean document; the polymorphic reference is kept, not resolved', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: null,
        userId: user,
        type: 'referral_bonus',
        points: 50,
        balanceAfter: 1284,
        referenceType: 'User',
        referenceKind: 'id',
        referenceExternalRef: oid(2).toHexString(),
        metadata: { campaign: 'spring' },
      },
    });
    expect(pointTransactionsSpec.references).toEqual([{ path: 'userId', parent: 'users' }]);
  });

  it('referenceId: a string, a 24-hex string, none; another type rejects', () => {
    expect(mapped({ ...clean(), referenceType: 'Promo', referenceId: 'SPRING24' }).row).toMatchObject({
      referenceKind: 'string',
      referenceExternalRef: 'SPRING24',
    });
    expect(mapped({ ...clean(), referenceId: oid(3).toHexString().toUpperCase() }).row).toMatchObject({
      referenceKind: 'id',
      referenceExternalRef: oid(3).toHexString(),
    });
    expect(mapped({ ...clean(), referenceType: undefined, referenceId: null }).row).toMatchObject({
      referenceType: null,
      referenceKind: 'none',
      referenceExternalRef: null,
    });
    expect(mapped({ ...clean(), referenceId: new ObjectId() }).anomalies).toBeUndefined();
    expect(map({ ...clean(), referenceId: 17 })).toMatchObject({
      reject: 'invalid_reference',
      field: 'referenceId',
    });
  });

  it('points are signed and required integers', () => {
    expect(mapped({ ...clean(), type: 'spend', points: new Int32(-300) }).row.points).toBe(-300);
    expect(map({ ...clean(), points: undefined })).toMatchObject({
      reject: 'missing_field',
      field: 'points',
    });
    expect(map({ ...clean(), points: 2.5 })).toMatchObject({ reject: 'invalid_type', field: 'points' });
    expect(map({ ...clean(), points: '50' })).toMatchObject({ reject: 'invalid_type', field: 'points' });
  });

  it('userId is required', () => {
    expect(map({ ...clean(), userId: undefined })).toMatchObject({
      reject: 'missing_field',
      field: 'userId',
    });
    expect(map({ ...clean(), userId: new ObjectId() })).toMatchObject({ reject: 'orphan_reference' });
  });

  it('type: outside the enum → invalid_enum; absent → NULL', () => {
    expect(map({ ...clean(), type: 'bonus' })).toMatchObject({ reject: 'invalid_enum', field: 'type' });
    expect(mapped({ ...clean(), type: undefined }).row.type).toBeNull();
    expect(pointTransactionType.enumValues).toEqual([...POINT_TRANSACTION_TYPES]);
  });

  it('unicode, unknown fields, missing timestamps', () => {
    const doc: LegacyDoc = { ...clean(), referenceId: 'قسيمة-🦄', reason: 'manual' };
    delete doc.createdAt;
    const row = mapped(doc).row;
    expect(row).toMatchObject({ referenceExternalRef: 'قسيمة-🦄', createdAt: null, updatedAt: null });
    expect(row.legacyExtra).toEqual({ reason: 'manual' });
  });
});
