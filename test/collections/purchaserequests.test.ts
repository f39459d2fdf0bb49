import { Decimal128, Double, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { CORE_SPECS } from '../../src/collections/core.js';
import { MARKETPLACE_SPECS } from '../../src/collections/marketplace.js';
import { purchaseRequestsSpec } from '../../src/collections/purchaserequests/spec.js';
import { createRegistry } from '../../src/collections/registry.js';
import {
  isReject,
  type CollectionSpec,
  type LegacyDoc,
  type MappedDocument,
} from '../../src/collections/spec.js';
import { payments } from '../../src/db/schema/payments.js';
import {
  budgetCurrency,
  deliveryMethod,
  purchaseRequestStatus,
} from '../../src/db/schema/purchaseRequests.js';
import {
  BUDGET_CURRENCIES,
  DELIVERY_METHODS,
  PURCHASE_REQUEST_STATUSES,
} from '../../src/mongo/models/index.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const buyer = ctx.add('users', oid(1));
const seller1 = ctx.add('users', oid(2));
const seller2 = ctx.add('users', oid(3));
const category = ctx.add('categories', oid(20));
const address = ctx.add('addresses', oid(30));

const map = (doc: LegacyDoc) => purchaseRequestsSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const offer = (n: number) => oid(500 + n);
const offerLink = (n: number) => ({
  column: 'seller_offer_id',
  parent: 'selleroffers',
  parentLegacyId: offer(n).toHexString(),
  junction: 'purchase_request_offers',
});
const acceptedLink = (n: number) => ({
  column: 'accepted_offer_id',
  parent: 'selleroffers',
  parentLegacyId: offer(n).toHexString(),
});

const clean = (): LegacyDoc => ({
  _id: oid(100),
  buyerId: oid(1),
  title: 'Mechanical keyboard',
  description: 'Brown switches, US layout',
  categoryId: oid(20),
  quantity: 2,
  budget: { amount: Decimal128.fromString('149.990000000000000001'), currency: 'USDT' },
  status: 'in_progress',
  offers: [offer(1), offer(2)],
  preferredSellerIds: [oid(2), oid(3)],
  acceptedOfferId: offer(2),
  deliveryInfo: {
    method: 'shipping',
    addressId: oid(30),
    carrier: 'DHL',
    trackingNumber: 'JD0146',
    shippedAt: T0,
    deliveredAt: T1,
    notes: 'leave at door',
  },
  serviceInfo: { scheduledAt: T1, durationMinutes: 90, location: 'Lisbon', remote: false },
  expiresAt: T1,
  createdAt: T0,
  updatedAt: T1,
  __v: 2,
});

describe('purchaserequests mapper', () => {
  it('maps a clean document: row, child rows, junction and column links', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        buyerId: buyer,
        title: 'Mechanical keyboard',
        description: 'Brown switches, US layout',
        categoryId: category,
        quantity: 2,
        budgetAmount: '149.990000000000000001',
        budgetCurrency: 'USDT',
        status: 'in_progress',
        expiresAt: T1,
      },
      children: {
        pr_preferred_sellers: [
          { ordinal: 0, userId: seller1 },
          { ordinal: 1, userId: seller2 },
        ],
        pr_delivery_info: [
          {
            method: 'shipping',
            addressId: address,
            carrier: 'DHL',
            trackingNumber: 'JD0146',
            shippedAt: T0,
            deliveredAt: T1,
            notes: 'leave at door',
          },
        ],
        pr_service_info: [{ scheduledAt: T1, durationMinutes: 90, location: 'Lisbon', remote: false }],
      },
      links: [acceptedLink(2), offerLink(1), offerLink(2)],
    });
  });

  it('declares references, children, junction and money for the engine', () => {
    expect(purchaseRequestsSpec.references).toEqual([
      { path: 'buyerId', parent: 'users' },
      { path: 'categoryId', parent: 'categories' },
      { path: 'preferredSellerIds', parent: 'users', many: true },
      { path: 'deliveryInfo.addressId', parent: 'addresses' },
      { path: 'offers', parent: 'selleroffers', many: true, deferred: true },
      { path: 'acceptedOfferId', parent: 'selleroffers', deferred: true, column: 'accepted_offer_id' },
    ]);
    expect(Object.keys(purchaseRequestsSpec.children ?? {})).toEqual([
      'pr_preferred_sellers',
      'pr_delivery_info',
      'pr_service_info',
    ]);
    expect(purchaseRequestsSpec.junctions?.purchase_request_offers).toMatchObject({
      ownerKey: 'purchaseRequestId',
      targetKey: 'sellerOfferId',
    });
    expect(purchaseRequestsSpec.moneyFields).toEqual(['budget.amount']);
  });

  it('a minimal, pre-timestamps document: NULLs, no child rows, no links', () => {
    const result = mapped({ _id: oid(101), buyerId: oid(1) });
    expect(result.row).toEqual({
      legacyExtra: null,
      createdAt: null,
      updatedAt: null,
      buyerId: buyer,
      title: null,
      description: null,
      categoryId: null,
      quantity: null,
      budgetAmount: null,
      budgetCurrency: null,
      status: null, // the model has no default: absent stays absent
      expiresAt: null,
    });
    expect(result.children).toEqual({ pr_preferred_sellers: [], pr_delivery_info: [], pr_service_info: [] });
    expect(result.links).toBeUndefined();
    expect(result.anomalies).toBeUndefined();
  });

  describe('references', () => {
    it('buyerId: orphan → orphan_reference, absent → missing_field, non-id → invalid_reference', () => {
      expect(map({ ...clean(), buyerId: new ObjectId() })).toMatchObject({
        reject: 'orphan_reference',
        field: 'buyerId',
      });
      expect(map({ ...clean(), buyerId: null })).toMatchObject({ reject: 'missing_field', field: 'buyerId' });
      expect(map({ ...clean(), buyerId: 'tmpl_abc' })).toMatchObject({
        reject: 'invalid_reference',
        field: 'buyerId',
      });
      expect(map({ ...clean(), buyerId: 42 })).toMatchObject({
        reject: 'invalid_reference',
        field: 'buyerId',
      });
    });

    it('24-hex strings are the ObjectIds they spell (any case)', () => {
      const result = mapped({
        ...clean(),
        buyerId: oid(1).toHexString().toUpperCase(),
        categoryId: oid(20).toHexString(),
        acceptedOfferId: offer(2).toHexString().toUpperCase(),
        offers: [offer(1).toHexString()],
      });
      expect(result.row).toMatchObject({ buyerId: buyer, categoryId: category });
      expect(result.links).toEqual([acceptedLink(2), offerLink(1)]);
    });

    it('categoryId is optional: orphan → NULL + dangling_reference; non-id → invalid_reference', () => {
      const gone = new ObjectId();
      const result = mapped({ ...clean(), categoryId: gone });
      expect(result.row.categoryId).toBeNull();
      expect(result.anomalies).toEqual([
        {
          code: 'dangling_reference',
          field: 'categoryId',
          message: `categoryId ${gone.toHexString()} has no categories row; stored as NULL`,
        },
      ]);
      expect(map({ ...clean(), categoryId: 'Electronics' })).toMatchObject({
        reject: 'invalid_reference',
        field: 'categoryId',
      });
    });

    it('acceptedOfferId links even to an offer that is gone (the link pass records dangling)', () => {
      const gone = new ObjectId();
      expect(mapped({ ...clean(), acceptedOfferId: gone, offers: [] }).links).toEqual([
        { column: 'accepted_offer_id', parent: 'selleroffers', parentLegacyId: gone.toHexString() },
      ]);
      expect(map({ ...clean(), acceptedOfferId: 'offer-2' })).toMatchObject({
        reject: 'invalid_reference',
        field: 'acceptedOfferId',
      });
    });
  });

  describe('offers[] → junction links', () => {
    it('one link per distinct offer; repeats and nulls are anomalies, not rows', () => {
      const result = mapped({
        ...clean(),
        acceptedOfferId: null,
        offers: [offer(1), offer(2), offer(1), null, offer(2).toHexString(), offer(3)],
      });
      expect(result.links).toEqual([offerLink(1), offerLink(2), offerLink(3)]);
      expect(result.anomalies).toEqual([
        { code: 'null_array_element', field: 'offers.3', message: 'offers[3] is null; skipped' },
        {
          code: 'duplicate_array_element',
          field: 'offers.2',
          message: `offers[2] repeats offers[0] (${offer(1).toHexString()}); linked once`,
        },
        {
          code: 'duplicate_array_element',
          field: 'offers.4',
          message: `offers[4] repeats offers[1] (${offer(2).toHexString()}); linked once`,
        },
      ]);
    });

    it('empty or absent → no links; a non-id element or a non-array rejects', () => {
      expect(mapped({ ...clean(), acceptedOfferId: null, offers: [] }).links).toBeUndefined();
      expect(mapped({ ...clean(), acceptedOfferId: null, offers: undefined }).links).toBeUndefined();
      expect(map({ ...clean(), offers: [offer(1), 'tmpl_x'] })).toMatchObject({
        reject: 'invalid_reference',
        field: 'offers.1',
      });
      expect(map({ ...clean(), offers: [{ id: offer(1) }] })).toMatchObject({
        reject: 'invalid_reference',
        field: 'offers.0',
      });
      expect(map({ ...clean(), offers: offer(1) })).toMatchObject({
        reject: 'invalid_type',
        field: 'offers',
      });
    });
  });

  describe('preferredSellerIds[] → pr_preferred_sellers', () => {
    it('dangling skipped + anomaly, repeats stored once + anomaly, nulls skipped + anomaly', () => {
      const gone = new ObjectId();
      const result = mapped({
        ...clean(),
        preferredSellerIds: [oid(3), gone, null, oid(3).toHexString(), oid(2)],
      });
      expect(result.children?.pr_preferred_sellers).toEqual([
        { ordinal: 0, userId: seller2 },
        { ordinal: 4, userId: seller1 },
      ]);
      expect(result.anomalies).toEqual([
        {
          code: 'null_array_element',
          field: 'preferredSellerIds.2',
          message: 'preferredSellerIds[2] is null; skipped',
        },
        {
          code: 'dangling_reference',
          field: 'preferredSellerIds.1',
          message: `preferredSellerIds.1 ${gone.toHexString()} has no users row; skipped`,
        },
        {
          code: 'duplicate_array_element',
          field: 'preferredSellerIds.3',
          message: `preferredSellerIds[3] repeats preferredSellerIds[0] (${oid(3).toHexString()}); stored once`,
        },
      ]);
    });

    it('a non-id element rejects invalid_reference; empty → zero rows', () => {
      expect(map({ ...clean(), preferredSellerIds: [oid(2), 'bob'] })).toMatchObject({
        reject: 'invalid_reference',
        field: 'preferredSellerIds.1',
      });
      expect(mapped({ ...clean(), preferredSellerIds: [] }).children?.pr_preferred_sellers).toEqual([]);
    });
  });

  describe('deliveryInfo / serviceInfo → 1:1 child rows', () => {
    it('null or absent → no row; an empty sub-document → one all-NULL row', () => {
      const result = mapped({ ...clean(), deliveryInfo: null, serviceInfo: undefined });
      expect(result.children?.pr_delivery_info).toEqual([]);
      expect(result.children?.pr_service_info).toEqual([]);
      expect(mapped({ ...clean(), serviceInfo: {} }).children?.pr_service_info).toEqual([
        { scheduledAt: null, durationMinutes: null, location: null, remote: null },
      ]);
    });

    it('nulls inside the sub-document become NULL columns', () => {
      const result = mapped({
        ...clean(),
        deliveryInfo: { method: 'pickup', addressId: null, carrier: null },
      });
      expect(result.children?.pr_delivery_info).toEqual([
        {
          method: 'pickup',
          addressId: null,
          carrier: null,
          trackingNumber: null,
          shippedAt: null,
          deliveredAt: null,
          notes: null,
        },
      ]);
    });

    it('addressId is optional: a gone address → NULL + dangling_reference', () => {
      const gone = new ObjectId();
      const result = mapped({ ...clean(), deliveryInfo: { method: 'shipping', addressId: gone } });
      expect(result.children?.pr_delivery_info?.[0]?.addressId).toBeNull();
      expect(result.anomalies).toEqual([
        expect.objectContaining({ code: 'dangling_reference', field: 'deliveryInfo.addressId' }),
      ]);
    });

    it('a non-object, an unknown method or a wrong type rejects', () => {
      expect(map({ ...clean(), deliveryInfo: 'DHL' })).toMatchObject({
        reject: 'invalid_type',
        field: 'deliveryInfo',
      });
      expect(map({ ...clean(), deliveryInfo: { method: 'drone' } })).toMatchObject({
        reject: 'invalid_enum',
        field: 'deliveryInfo.method',
      });
      expect(map({ ...clean(), serviceInfo: { durationMinutes: '90' } })).toMatchObject({
        reject: 'invalid_type',
        field: 'serviceInfo.durationMinutes',
      });
      expect(map({ ...clean(), serviceInfo: { remote: 'yes' } })).toMatchObject({
        reject: 'invalid_type',
        field: 'serviceInfo.remote',
      });
    });
  });

  describe('budget money', () => {
    const amount = (value: unknown) => mapped({ ...clean(), budget: { amount: value, currency: 'USD' } });
    const refusal = (value: unknown) => map({ ...clean(), budget: { amount: value, currency: 'USD' } });

    it('Decimal128, double (shortest round trip), numeric string → exact decimal text', () => {
      expect(amount(Decimal128.fromString('0.000000000000000001')).row.budgetAmount).toBe(
        '0.000000000000000001',
      );
      expect(amount(0.1).row.budgetAmount).toBe('0.1');
      expect(amount(new Double(12.5)).row.budgetAmount).toBe('12.5');
      expect(amount(' 1234.5600 ').row.budgetAmount).toBe('1234.56');
      expect(amount(null).row.budgetAmount).toBeNull();
      expect(mapped({ ...clean(), budget: null }).row).toMatchObject({
        budgetAmount: null,
        budgetCurrency: null,
      });
    });

    it('unparseable, non-finite or too precise → invalid_money (never rounded)', () => {
      for (const value of ['12,50', 'abc', Number.NaN, Infinity, '0.0000000000000000001', '1e21', true]) {
        expect(refusal(value)).toMatchObject({ reject: 'invalid_money', field: 'budget.amount' });
      }
    });

    it('currency outside USDT/USDC/USD/EUR → invalid_enum; budget of the wrong type → invalid_type', () => {
      expect(map({ ...clean(), budget: { amount: 1, currency: 'BTC' } })).toMatchObject({
        reject: 'invalid_enum',
        field: 'budget.currency',
      });
      expect(map({ ...clean(), budget: 100 })).toMatchObject({ reject: 'invalid_type', field: 'budget' });
    });
  });

  it('invalid enums and wrong types reject', () => {
    expect(map({ ...clean(), status: 'archived' })).toMatchObject({
      reject: 'invalid_enum',
      field: 'status',
    });
    expect(map({ ...clean(), quantity: '2' })).toMatchObject({ reject: 'invalid_type', field: 'quantity' });
    expect(map({ ...clean(), quantity: 1.5 })).toMatchObject({ reject: 'invalid_type', field: 'quantity' });
    expect(map({ ...clean(), expiresAt: '2024-01-01' })).toMatchObject({
      reject: 'invalid_type',
      field: 'expiresAt',
    });
    expect(map({ ...clean(), createdAt: 'yesterday' })).toMatchObject({
      reject: 'invalid_type',
      field: 'createdAt',
    });
  });

  it('unicode is copied byte for byte; undeclared fields (top level and nested) go to legacy_extra', () => {
    const result = mapped({
      ...clean(),
      title: '🎧 سماعات — Kopfhörer',
      description: 'y'.repeat(50_000),
      legacyTags: ['a', 'b'],
      budget: { amount: 1, currency: 'EUR', fx: 1.08 },
      deliveryInfo: { method: 'digital', courierPhone: '+351' },
    });
    expect(result.row).toMatchObject({ title: '🎧 سماعات — Kopfhörer', description: 'y'.repeat(50_000) });
    expect(result.row.legacyExtra).toEqual({
      legacyTags: ['a', 'b'],
      budget: { fx: { $numberDouble: '1.08' } },
      deliveryInfo: { courierPhone: '+351' },
    });
  });
});

describe('marketplace specs in the registry', () => {
  // payments belongs to a parallel spec; a stand-in with its table lets the graph validate here.
  const paymentsStandIn: CollectionSpec = {
    collection: 'payments',
    phase: 4,
    table: payments,
    references: [],
    map: () => ({ row: {} }),
  };

  it('lists the four collections in reading order', () => {
    expect(MARKETPLACE_SPECS.map((s) => s.collection)).toEqual([
      'purchaserequests',
      'selleroffers',
      'reviews',
      'disputes',
    ]);
  });

  it('validates: the cycle is broken by the deferred request → offer edges; parents come first', () => {
    const registry = createRegistry([...CORE_SPECS, paymentsStandIn, ...MARKETPLACE_SPECS]);
    const at = (name: string) => registry.order.indexOf(name);
    for (const [child, parent] of [
      ['purchaserequests', 'users'],
      ['purchaserequests', 'categories'],
      ['purchaserequests', 'addresses'],
      ['selleroffers', 'purchaserequests'],
      ['reviews', 'purchaserequests'],
      ['disputes', 'purchaserequests'],
      ['disputes', 'payments'],
    ] as const) {
      expect(at(parent)).toBeLessThan(at(child));
    }
    expect([...(registry.graph.deferredParents.get('purchaserequests') ?? [])]).toEqual(['selleroffers']);
  });

  it('the Postgres enums and the Mongoose enums are the same lists (legacy-schema.md)', () => {
    expect(purchaseRequestStatus.enumValues).toEqual([...PURCHASE_REQUEST_STATUSES]);
    expect(budgetCurrency.enumValues).toEqual([...BUDGET_CURRENCIES]);
    expect(deliveryMethod.enumValues).toEqual([...DELIVERY_METHODS]);
  });
});
