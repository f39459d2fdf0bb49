import { Decimal128, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { derivedDestinationsSpec } from '../../src/collections/deriveddestinations/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { derivedDestinationStatus, destinationChain } from '../../src/db/schema/derivedDestinations.js';
import {
  DERIVED_DESTINATION_STATUSES,
  DESTINATION_CHAINS,
} from '../../src/mongo/models/derivedDestination.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const buyer = ctx.add('users', oid(1));
const seller = ctx.add('users', oid(2));
const payment = ctx.add('payments', oid(30));
const map = (doc: LegacyDoc) => derivedDestinationsSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const sweep = {
  _id: oid(901),
  txHash: '0xs1',
  amount: Decimal128.fromString('10.000000000000000001'),
  sweptAt: T1,
  status: 'confirmed',
};

const clean = (): LegacyDoc => ({
  _id: oid(300),
  buyerId: oid(1),
  sellerId: oid(2),
  chain: 'tron',
  derivationIndex: 7,
  address: 'TXdest7',
  paymentId: oid(30),
  status: 'swept',
  sweepHistory: [sweep],
  createdAt: T0,
  updatedAt: T1,
});

describe('deriveddestinations mapper', () => {
  it('maps a clean document with its sweep history', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        buyerId: buyer,
        sellerId: seller,
        sellerExternalRef: null,
        sellerRefKind: 'entity',
        chain: 'tron',
        derivationIndex: 7,
        address: 'TXdest7',
        paymentId: payment,
        paymentExternalRef: null,
        paymentRefKind: 'entity',
        status: 'swept',
      },
      children: {
        derived_destination_sweeps: [
          {
            ordinal: 0,
            txHash: '0xs1',
            amount: '10.000000000000000001',
            sweptAt: T1,
            status: 'confirmed',
            legacyExtra: { _id: { $oid: oid(901).toHexString() } },
          },
        ],
      },
    });
  });

  it('declares references, children, money and the counter finalize step', () => {
    expect(derivedDestinationsSpec.references.map((r) => `${r.path}→${r.parent}`)).toEqual([
      'buyerId→users',
      'sellerId→users',
      'paymentId→payments',
    ]);
    expect(Object.keys(derivedDestinationsSpec.children ?? {})).toEqual(['derived_destination_sweeps']);
    expect(derivedDestinationsSpec.moneyFields).toEqual(['sweepHistory.amount']);
    expect(derivedDestinationsSpec.finalize).toBeTypeOf('function');
  });

  it('Mixed shapes: string seller, template seller, dangling payment, no payment', () => {
    const gone = new ObjectId();
    const result = mapped({ ...clean(), sellerId: 'shop:ana', paymentId: gone });
    expect(result.row).toMatchObject({
      sellerId: null,
      sellerExternalRef: 'shop:ana',
      sellerRefKind: 'external',
      paymentId: null,
      paymentExternalRef: gone.toHexString(),
      paymentRefKind: 'dangling',
    });
    expect(result.anomalies?.map((a) => `${a.code}:${a.field}`)).toEqual([
      'unrecognised_reference:sellerId',
      'dangling_reference:paymentId',
    ]);
    expect(mapped({ ...clean(), sellerId: 'tmpl_s', paymentId: null }).row).toMatchObject({
      sellerRefKind: 'template',
      sellerExternalRef: 'tmpl_s',
      paymentRefKind: 'none',
      paymentExternalRef: null,
    });
    expect(map({ ...clean(), sellerId: 5 })).toMatchObject({
      reject: 'invalid_reference',
      field: 'sellerId',
    });
  });

  it('sweep money: double, numeric string, 19 fraction digits, 21 integer digits, unparseable', () => {
    const withSweepAmount = (amount: unknown) => ({ ...clean(), sweepHistory: [{ ...sweep, amount }] });
    const amountOf = (doc: LegacyDoc) => mapped(doc).children?.derived_destination_sweeps?.[0]?.amount;
    expect(amountOf(withSweepAmount(0.1))).toBe('0.1');
    expect(amountOf(withSweepAmount('42.000'))).toBe('42');
    expect(amountOf(withSweepAmount(undefined))).toBeNull();
    for (const amount of ['0.0000000000000000001', '100000000000000000000', 'ten']) {
      expect(map(withSweepAmount(amount))).toMatchObject({
        reject: 'invalid_money',
        field: 'sweepHistory.0.amount',
      });
    }
  });

  it('sweep arrays: null elements skipped + anomaly, empty → no rows, non-object rejects', () => {
    const result = mapped({ ...clean(), sweepHistory: [null, sweep] });
    expect(result.children?.derived_destination_sweeps?.map((s) => s.ordinal)).toEqual([1]);
    expect(result.anomalies?.map((a) => a.code)).toEqual(['null_array_element']);
    expect(mapped({ ...clean(), sweepHistory: [] }).children).toEqual({ derived_destination_sweeps: [] });
    expect(map({ ...clean(), sweepHistory: ['0xs1'] })).toMatchObject({
      reject: 'invalid_type',
      field: 'sweepHistory.0',
    });
  });

  it('chain and derivationIndex are required; enums are checked', () => {
    expect(map({ ...clean(), chain: undefined })).toMatchObject({ reject: 'missing_field', field: 'chain' });
    expect(map({ ...clean(), chain: 'solana' })).toMatchObject({ reject: 'invalid_enum', field: 'chain' });
    expect(map({ ...clean(), derivationIndex: null })).toMatchObject({
      reject: 'missing_field',
      field: 'derivationIndex',
    });
    expect(map({ ...clean(), derivationIndex: '7' })).toMatchObject({
      reject: 'invalid_type',
      field: 'derivationIndex',
    });
    expect(map({ ...clean(), status: 'burned' })).toMatchObject({ reject: 'invalid_enum', field: 'status' });
    expect(mapped({ ...clean(), status: undefined }).row.status).toBeNull();
    expect(destinationChain.enumValues).toEqual([...DESTINATION_CHAINS]);
    expect(derivedDestinationStatus.enumValues).toEqual([...DERIVED_DESTINATION_STATUSES]);
  });

  it('buyerId is required', () => {
    expect(map({ ...clean(), buyerId: undefined })).toMatchObject({
      reject: 'missing_field',
      field: 'buyerId',
    });
    expect(map({ ...clean(), buyerId: new ObjectId() })).toMatchObject({ reject: 'orphan_reference' });
  });

  it('unicode, unknown fields (top level and in a sweep), missing timestamps', () => {
    const doc: LegacyDoc = {
      ...clean(),
      address: 'адрес-🦄',
      hdPath: "m/44'/195'",
      sweepHistory: [{ ...sweep, gasFee: '0.3' }],
    };
    delete doc.createdAt;
    delete doc.updatedAt;
    const result = mapped(doc);
    expect(result.row).toMatchObject({ address: 'адрес-🦄', createdAt: null, updatedAt: null });
    expect(result.row.legacyExtra).toEqual({ hdPath: "m/44'/195'" });
    expect(result.children?.derived_destination_sweeps?.[0]?.legacyExtra).toEqual({
      _id: { $oid: oid(901).toHexString() },
      gasFee: '0.3',
    });
  });
});
