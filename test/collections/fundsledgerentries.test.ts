import { Decimal128, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { fundsLedgerEntriesSpec } from '../../src/collections/fundsledgerentries/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { fundsLedgerEntryType } from '../../src/db/schema/fundsLedgerEntries.js';
import { FUNDS_LEDGER_ENTRY_TYPES } from '../../src/mongo/models/fundsLedgerEntry.js';
import { FakeContext, oid, T0 } from './fakeContext.js';

const ctx = new FakeContext();
const user = ctx.add('users', oid(1));
const request = ctx.add('purchaserequests', oid(10));
const payment = ctx.add('payments', oid(30));
const map = (doc: LegacyDoc) => fundsLedgerEntriesSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(200),
  purchaseRequestId: oid(10),
  paymentId: oid(30),
  userId: oid(1),
  type: 'escrow_hold',
  amount: Decimal128.fromString('-149.990000000000000001'),
  currency: 'USDT',
  idempotencyKey: 'escrow_hold:64f0',
  description: 'Escrow hold',
  metadata: { source: 'webhook' },
  createdAt: T0,
});

describe('fundsledgerentries mapper', () => {
  it('maps a clean document; append-only, so updated_at is NULL', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: null,
        purchaseRequestId: request,
        purchaseRequestExternalRef: null,
        purchaseRequestRefKind: 'entity',
        paymentId: payment,
        paymentExternalRef: null,
        paymentRefKind: 'entity',
        userId: user,
        type: 'escrow_hold',
        amount: '-149.990000000000000001',
        currency: 'USDT',
        idempotencyKey: 'escrow_hold:64f0',
        description: 'Escrow hold',
        metadata: { source: 'webhook' },
      },
    });
  });

  it('declares its references and money', () => {
    expect(fundsLedgerEntriesSpec.references.map((r) => `${r.path}→${r.parent}`)).toEqual([
      'purchaseRequestId→purchaserequests',
      'paymentId→payments',
      'userId→users',
    ]);
    expect(fundsLedgerEntriesSpec.moneyFields).toEqual(['amount']);
  });

  it('Mixed shapes: template request, dangling payment, string payment, none', () => {
    const gone = new ObjectId();
    expect(
      mapped({ ...clean(), purchaseRequestId: 'tmpl_7', paymentId: gone.toHexString() }).row,
    ).toMatchObject({
      purchaseRequestRefKind: 'template',
      purchaseRequestExternalRef: 'tmpl_7',
      paymentRefKind: 'dangling',
      paymentExternalRef: gone.toHexString(),
      paymentId: null,
    });
    const external = mapped({ ...clean(), purchaseRequestId: undefined, paymentId: 'rn_0xdeadbeef' });
    expect(external.row).toMatchObject({
      purchaseRequestRefKind: 'none',
      purchaseRequestId: null,
      paymentRefKind: 'external',
      paymentExternalRef: 'rn_0xdeadbeef',
    });
    expect(external.anomalies?.map((a) => a.code)).toEqual(['unrecognised_reference']);
    expect(map({ ...clean(), paymentId: [oid(30)] })).toMatchObject({
      reject: 'invalid_reference',
      field: 'paymentId',
    });
  });

  it('signed amounts are exact, whatever the stored type', () => {
    expect(mapped({ ...clean(), amount: Decimal128.fromString('-0.000000000000000001') }).row.amount).toBe(
      '-0.000000000000000001',
    );
    expect(mapped({ ...clean(), amount: -0.1 }).row.amount).toBe('-0.1');
    expect(mapped({ ...clean(), amount: '-12.50' }).row.amount).toBe('-12.5');
    expect(
      mapped({ ...clean(), amount: Decimal128.fromString('99999999999999999999.999999999999') }).row.amount,
    ).toBe('99999999999999999999.999999999999');
  });

  it('invalid money → invalid_money; absent → missing_field', () => {
    for (const amount of [
      '1O.5',
      '-0.1234567890123456789',
      '-123456789012345678901',
      Number.NEGATIVE_INFINITY,
    ]) {
      expect(map({ ...clean(), amount })).toMatchObject({ reject: 'invalid_money', field: 'amount' });
    }
    expect(map({ ...clean(), amount: undefined })).toMatchObject({
      reject: 'missing_field',
      field: 'amount',
    });
    expect(map({ ...clean(), amount: null })).toMatchObject({ reject: 'missing_field', field: 'amount' });
  });

  it('userId is required', () => {
    expect(map({ ...clean(), userId: null })).toMatchObject({ reject: 'missing_field', field: 'userId' });
    expect(map({ ...clean(), userId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'userId',
    });
  });

  it('type: outside the enum → invalid_enum; absent → NULL (the model has no default)', () => {
    expect(map({ ...clean(), type: 'chargeback' })).toMatchObject({ reject: 'invalid_enum', field: 'type' });
    expect(mapped({ ...clean(), type: undefined }).row.type).toBeNull();
    expect(fundsLedgerEntryType.enumValues).toEqual([...FUNDS_LEDGER_ENTRY_TYPES]);
  });

  it('unicode, unknown fields, missing timestamps', () => {
    const doc: LegacyDoc = { ...clean(), description: 'رسوم 🦄 Gebühr', batch: 7 };
    delete doc.createdAt;
    const row = mapped(doc).row;
    expect(row).toMatchObject({ description: 'رسوم 🦄 Gebühr', createdAt: null, updatedAt: null });
    expect(row.legacyExtra).toEqual({ batch: { $numberInt: '7' } });
  });
});
