import { Decimal128, Double, Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { CORE_SPECS } from '../../src/collections/core.js';
import { LEDGER_SPECS } from '../../src/collections/ledger.js';
import { MARKETPLACE_SPECS } from '../../src/collections/marketplace.js';
import { paymentsSpec } from '../../src/collections/payments/spec.js';
import { createRegistry } from '../../src/collections/registry.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import {
  escrowState,
  paymentDirection,
  paymentProvider,
  paymentStatus,
} from '../../src/db/schema/payments.js';
import {
  ESCROW_STATES,
  PAYMENT_DIRECTIONS,
  PAYMENT_PROVIDERS,
  PAYMENT_STATUSES,
} from '../../src/mongo/models/payment.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const buyer = ctx.add('users', oid(1));
const seller = ctx.add('users', oid(2));
const request = ctx.add('purchaserequests', oid(10));
const offer = ctx.add('selleroffers', oid(20));
const map = (doc: LegacyDoc) => paymentsSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(100),
  purchaseRequestId: oid(10),
  sellerOfferId: oid(20),
  buyerId: oid(1),
  sellerId: oid(2),
  amount: { value: Decimal128.fromString('149.990000000000000001'), currency: 'USDC' },
  provider: 'shkeeper',
  direction: 'in',
  status: 'completed',
  escrowState: 'funded',
  providerPaymentId: 'shk_01HX',
  blockchain: {
    network: 'tron',
    transactionHash: '0xabc',
    fromAddress: 'TXa',
    toAddress: 'TXb',
    confirmations: 19,
    blockNumber: new Long(61_000_000),
  },
  metadata: { invoice: 'INV-1', attempts: [1, 2] },
  isRefunded: false,
  completedAt: T1,
  createdAt: T0,
  updatedAt: T1,
  __v: 0,
});

const withAmount = (value: unknown): LegacyDoc => ({ ...clean(), amount: { value, currency: 'USDT' } });

describe('payments mapper', () => {
  it('maps a clean document: three Mixed fields as entities, flattened amount, jsonb blobs', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        purchaseRequestId: request,
        purchaseRequestExternalRef: null,
        purchaseRequestRefKind: 'entity',
        sellerOfferId: offer,
        sellerOfferExternalRef: null,
        sellerOfferRefKind: 'entity',
        buyerId: buyer,
        sellerId: seller,
        sellerExternalRef: null,
        sellerRefKind: 'entity',
        amount: '149.990000000000000001',
        currency: 'USDC',
        provider: 'shkeeper',
        direction: 'in',
        status: 'completed',
        escrowState: 'funded',
        providerPaymentId: 'shk_01HX',
        blockchain: {
          network: 'tron',
          transactionHash: '0xabc',
          fromAddress: 'TXa',
          toAddress: 'TXb',
          confirmations: 19,
          blockNumber: 61_000_000,
        },
        metadata: { invoice: 'INV-1', attempts: [1, 2] },
        isRefunded: false,
        completedAt: T1,
      },
    });
  });

  it('declares its references and money for the engine and the verifier', () => {
    expect(paymentsSpec.references.map((r) => `${r.path}→${r.parent}`)).toEqual([
      'purchaseRequestId→purchaserequests',
      'sellerOfferId→selleroffers',
      'buyerId→users',
      'sellerId→users',
    ]);
    expect(paymentsSpec.moneyFields).toEqual(['amount.value']);
  });

  it('a template checkout: tmpl_ purchase request, string seller offer, absent seller', () => {
    const result = mapped({
      ...clean(),
      purchaseRequestId: 'tmpl_gift_card',
      sellerOfferId: 'offer-x',
      sellerId: null,
    });
    expect(result.row).toMatchObject({
      purchaseRequestId: null,
      purchaseRequestExternalRef: 'tmpl_gift_card',
      purchaseRequestRefKind: 'template',
      sellerOfferId: null,
      sellerOfferExternalRef: 'offer-x',
      sellerOfferRefKind: 'external',
      sellerId: null,
      sellerExternalRef: null,
      sellerRefKind: 'none',
    });
    expect(result.anomalies).toEqual([
      expect.objectContaining({ code: 'unrecognised_reference', field: 'sellerOfferId' }),
    ]);
  });

  it('24-hex strings are the ids they spell; gone parents are dangling, never rejected', () => {
    const gone = new ObjectId();
    const result = mapped({
      ...clean(),
      purchaseRequestId: oid(10).toHexString(),
      sellerOfferId: gone,
      sellerId: '',
    });
    expect(result.row).toMatchObject({
      purchaseRequestId: request,
      purchaseRequestRefKind: 'entity',
      sellerOfferId: null,
      sellerOfferExternalRef: gone.toHexString(),
      sellerOfferRefKind: 'dangling',
      sellerRefKind: 'none',
    });
    expect(result.anomalies?.map((a) => `${a.code}:${a.field}`)).toEqual([
      'dangling_reference:sellerOfferId',
    ]);
  });

  it('a Mixed field of another type rejects invalid_reference', () => {
    expect(map({ ...clean(), sellerId: 42 })).toMatchObject({
      reject: 'invalid_reference',
      field: 'sellerId',
    });
    expect(map({ ...clean(), purchaseRequestId: { id: 1 } })).toMatchObject({
      reject: 'invalid_reference',
      field: 'purchaseRequestId',
    });
  });

  it('buyerId is a required typed reference', () => {
    expect(map({ ...clean(), buyerId: undefined })).toMatchObject({
      reject: 'missing_field',
      field: 'buyerId',
    });
    expect(map({ ...clean(), buyerId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'buyerId',
    });
    expect(map({ ...clean(), buyerId: 'tmpl_x' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'buyerId',
    });
  });

  it('money: Decimal128 with 18 decimals, an old double, a numeric string → exact text', () => {
    expect(mapped(withAmount(Decimal128.fromString('0.000000000000000001'))).row.amount).toBe(
      '0.000000000000000001',
    );
    expect(mapped(withAmount(0.1)).row.amount).toBe('0.1');
    expect(mapped(withAmount(new Double(2.5))).row.amount).toBe('2.5');
    expect(mapped(withAmount(' 1250.50 ')).row.amount).toBe('1250.5');
    expect(mapped(withAmount('-0.00')).row.amount).toBe('0');
  });

  it('money: unparseable, 19 fraction digits, 21 integer digits → invalid_money (never rounded)', () => {
    for (const value of [
      '12,50',
      'abc',
      Number.NaN,
      Infinity,
      '0.1234567890123456789',
      '123456789012345678901',
    ]) {
      expect(map(withAmount(value))).toMatchObject({ reject: 'invalid_money', field: 'amount.value' });
    }
    expect(map(withAmount(Decimal128.fromString('1.0000000000000000001')))).toMatchObject({
      reject: 'invalid_money',
    });
  });

  it('money is required: absent value, null value, or no amount at all → missing_field', () => {
    expect(map(withAmount(undefined))).toMatchObject({ reject: 'missing_field', field: 'amount.value' });
    expect(map(withAmount(null))).toMatchObject({ reject: 'missing_field', field: 'amount.value' });
    expect(map({ ...clean(), amount: undefined })).toMatchObject({
      reject: 'missing_field',
      field: 'amount.value',
    });
    expect(map({ ...clean(), amount: 12 })).toMatchObject({ reject: 'invalid_type', field: 'amount' });
  });

  it('defaults: currency USDT, provider request.network, direction in, status pending', () => {
    const row = mapped({
      _id: oid(101),
      buyerId: oid(1),
      amount: { value: Decimal128.fromString('5') },
    }).row;
    expect(row).toMatchObject({
      currency: 'USDT',
      provider: 'request.network',
      direction: 'in',
      status: 'pending',
      escrowState: null,
      purchaseRequestRefKind: 'none',
      sellerOfferRefKind: 'none',
      sellerRefKind: 'none',
      blockchain: null,
      metadata: null,
      isRefunded: null,
      completedAt: null,
    });
    expect(map({ ...clean(), amount: { value: 1, currency: null } })).toMatchObject({
      reject: 'missing_field',
      field: 'amount.currency',
    });
  });

  it('an invalid enum rejects: invalid_enum', () => {
    expect(map({ ...clean(), status: 'settled' })).toMatchObject({ reject: 'invalid_enum', field: 'status' });
    expect(map({ ...clean(), provider: 'stripe' })).toMatchObject({
      reject: 'invalid_enum',
      field: 'provider',
    });
    expect(map({ ...clean(), escrowState: 'held' })).toMatchObject({
      reject: 'invalid_enum',
      field: 'escrowState',
    });
    expect(map({ ...clean(), direction: null })).toMatchObject({
      reject: 'invalid_enum',
      field: 'direction',
    });
  });

  it('the Postgres enums and the Mongoose enums are the same lists', () => {
    expect(paymentProvider.enumValues).toEqual([...PAYMENT_PROVIDERS]);
    expect(paymentDirection.enumValues).toEqual([...PAYMENT_DIRECTIONS]);
    expect(paymentStatus.enumValues).toEqual([...PAYMENT_STATUSES]);
    expect(escrowState.enumValues).toEqual([...ESCROW_STATES]);
  });

  it('copies unicode byte for byte', () => {
    const row = mapped({ ...clean(), providerPaymentId: '支付-🦄', purchaseRequestId: 'tmpl_هدية' }).row;
    expect(row).toMatchObject({ providerPaymentId: '支付-🦄', purchaseRequestExternalRef: 'tmpl_هدية' });
  });

  it('keeps undeclared fields in legacy_extra; blockchain is kept whole', () => {
    const row = mapped({
      ...clean(),
      legacyGateway: 'v1',
      amount: { value: 1, currency: 'USDT', fx: 1.1 },
      blockchain: { network: 'bsc', gasUsed: 21000 },
    }).row;
    expect(row.legacyExtra).toEqual({ legacyGateway: 'v1', amount: { fx: { $numberDouble: '1.1' } } });
    expect(row.blockchain).toEqual({ network: 'bsc', gasUsed: 21000 });
    expect(map({ ...clean(), blockchain: '0xabc' })).toMatchObject({
      reject: 'invalid_type',
      field: 'blockchain',
    });
  });

  it('a document older than the timestamps plugin: NULL timestamps', () => {
    const doc = clean();
    delete doc.createdAt;
    delete doc.updatedAt;
    expect(mapped(doc).row).toMatchObject({ createdAt: null, updatedAt: null });
  });

  it('wrong scalar types reject invalid_type', () => {
    expect(map({ ...clean(), isRefunded: 'no' })).toMatchObject({
      reject: 'invalid_type',
      field: 'isRefunded',
    });
    expect(map({ ...clean(), completedAt: '2024-01-01' })).toMatchObject({
      reject: 'invalid_type',
      field: 'completedAt',
    });
  });
});

describe('LEDGER_SPECS', () => {
  it('lists the five money collections, and orders them after their parents in the full registry', () => {
    expect(LEDGER_SPECS.map((s) => s.collection)).toEqual([
      'payments',
      'fundsledgerentries',
      'deriveddestinations',
      'trezoraccounts',
      'pointtransactions',
    ]);
    expect(LEDGER_SPECS.every((s) => s.phase === 4)).toBe(true);
    const registry = createRegistry([...CORE_SPECS, ...MARKETPLACE_SPECS, ...LEDGER_SPECS]);
    const at = (name: string) => registry.order.indexOf(name);
    for (const [child, parent] of [
      ['payments', 'purchaserequests'],
      ['payments', 'selleroffers'],
      ['payments', 'users'],
      ['fundsledgerentries', 'payments'],
      ['deriveddestinations', 'payments'],
      ['trezoraccounts', 'deriveddestinations'],
      ['pointtransactions', 'users'],
    ] as const) {
      expect(at(parent)).toBeLessThan(at(child));
    }
  });
});
