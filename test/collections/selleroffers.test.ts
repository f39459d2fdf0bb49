import { Decimal128, Double, Int32, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { sellerOffersSpec } from '../../src/collections/selleroffers/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { sellerOfferStatus } from '../../src/db/schema/sellerOffers.js';
import { SELLER_OFFER_STATUSES } from '../../src/mongo/models/index.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const request = ctx.add('purchaserequests', oid(100));
const seller = ctx.add('users', oid(2));

const map = (doc: LegacyDoc) => sellerOffersSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(501),
  purchaseRequestId: oid(100),
  sellerId: oid(2),
  price: { amount: Decimal128.fromString('140.50'), currency: 'USDC' },
  message: 'Can ship tomorrow',
  deliveryDays: 3,
  status: 'accepted',
  createdAt: T0,
  updatedAt: T1,
  __v: 0,
});

describe('selleroffers mapper', () => {
  it('maps a clean document', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        purchaseRequestId: request,
        sellerId: seller,
        priceAmount: '140.5',
        priceCurrency: 'USDC',
        message: 'Can ship tomorrow',
        deliveryDays: 3,
        status: 'accepted',
      },
    });
  });

  it('declares a NON-deferred reference to its request (the forward edge of the cycle)', () => {
    expect(sellerOffersSpec.references).toEqual([
      { path: 'purchaseRequestId', parent: 'purchaserequests' },
      { path: 'sellerId', parent: 'users' },
    ]);
    expect(sellerOffersSpec.moneyFields).toEqual(['price.amount']);
  });

  it('a minimal, pre-timestamps document: NULLs, status absent stays NULL', () => {
    expect(mapped({ _id: oid(502), purchaseRequestId: oid(100), sellerId: oid(2) }).row).toEqual({
      legacyExtra: null,
      createdAt: null,
      updatedAt: null,
      purchaseRequestId: request,
      sellerId: seller,
      priceAmount: null,
      priceCurrency: null,
      message: null,
      deliveryDays: null,
      status: null,
    });
  });

  it('required references: orphan → orphan_reference, absent → missing_field, junk → invalid_reference', () => {
    expect(map({ ...clean(), purchaseRequestId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'purchaseRequestId',
    });
    expect(map({ ...clean(), sellerId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'sellerId',
    });
    expect(map({ ...clean(), purchaseRequestId: undefined })).toMatchObject({
      reject: 'missing_field',
      field: 'purchaseRequestId',
    });
    expect(map({ ...clean(), purchaseRequestId: 'tmpl_checkout_1' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'purchaseRequestId',
    });
  });

  it('24-hex string references are the ObjectIds they spell', () => {
    expect(
      mapped({ ...clean(), purchaseRequestId: oid(100).toHexString(), sellerId: oid(2).toHexString() }).row,
    ).toMatchObject({ purchaseRequestId: request, sellerId: seller });
  });

  it('price money: Decimal128 / double / Int32 / numeric string exact; junk or too precise → invalid_money', () => {
    const amount = (value: unknown) => mapped({ ...clean(), price: { amount: value } }).row.priceAmount;
    expect(amount(Decimal128.fromString('1.0E-7'))).toBe('0.0000001');
    expect(amount(19.99)).toBe('19.99');
    expect(amount(new Double(0.3))).toBe('0.3');
    expect(amount(new Int32(7))).toBe('7');
    expect(amount('-0.00')).toBe('0');
    expect(amount('99999999999999999999.999999999999999999')).toBe('99999999999999999999.999999999999999999');
    for (const value of ['12.3.4', '', '1.1234567890123456789', '123456789012345678901', { v: 1 }]) {
      expect(map({ ...clean(), price: { amount: value } })).toMatchObject({
        reject: 'invalid_money',
        field: 'price.amount',
      });
    }
  });

  it('currency is free text (no enum in the model), copied as found', () => {
    expect(mapped({ ...clean(), price: { amount: 1, currency: 'usdt-trc20' } }).row.priceCurrency).toBe(
      'usdt-trc20',
    );
    expect(map({ ...clean(), price: { amount: 1, currency: 5 } })).toMatchObject({
      reject: 'invalid_type',
      field: 'price.currency',
    });
  });

  it('invalid enum and wrong types reject', () => {
    expect(map({ ...clean(), status: 'countered' })).toMatchObject({
      reject: 'invalid_enum',
      field: 'status',
    });
    expect(map({ ...clean(), deliveryDays: '3' })).toMatchObject({
      reject: 'invalid_type',
      field: 'deliveryDays',
    });
    expect(map({ ...clean(), price: 'cheap' })).toMatchObject({ reject: 'invalid_type', field: 'price' });
  });

  it('unicode kept; unknown fields → legacy_extra', () => {
    const result = mapped({
      ...clean(),
      message: 'שלום 👋 Привет',
      counterOffer: true,
      price: { amount: 1, fee: 0 },
    });
    expect(result.row.message).toBe('שלום 👋 Привет');
    expect(result.row.legacyExtra).toEqual({ counterOffer: true, price: { fee: { $numberInt: '0' } } });
  });

  it('the Postgres enum and the Mongoose enum are the same list', () => {
    expect(sellerOfferStatus.enumValues).toEqual([...SELLER_OFFER_STATUSES]);
  });
});
