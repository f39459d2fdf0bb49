import { Decimal128, EJSON, ObjectId } from 'bson';
import { MongoClient, type Db as MongoDb, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idValue } from '../../src/collections/unmapping.js';
import type { LegacyDoc } from '../../src/collections/spec.js';
import { seedDatabase, type SeedResult } from '../../src/synthetic/seed.js';
import { copyCollections } from '../support/agreement.js';
import { formatScaled, readMoney } from '../support/exactDecimal.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { roundTrip } from '../support/roundTrip.js';

/**
 * The reverse mapping of the money core (rows → document, src/collections/<c>/unmap.ts), on synthetic
 * data with quirks: for every live row, mapping the unmapped document gives back the stored rows
 * (test/support/roundTrip.ts), and for the documents that carry no quirk, the unmapped document IS the
 * MongoDB document, after the normalisation below and nothing else.
 *
 * The normalisation, the same for every collection of this file:
 *
 * - **null fields are dropped**, at the document's level and inside its declared sub-documents and array
 *   elements (`paths` below), on both sides. The mapper reads a null field and an absent one alike (both
 *   are a NULL column), so the rows cannot say which it was, and documentOf returns neither. Affected in
 *   clean data: `acceptedOfferId: null` (Mongoose's default on requests), `metadata: null` (ledger and
 *   points), `purchaseRequestId`/`paymentId: null` (manual ledger entries, disputes without a payment),
 *   `referenceId: null`, timeline `actor: null` (the system) / `fromStatus: null`, trezor addresses'
 *   `destinationId: null`. NOT applied inside Mixed values (`metadata`, `blockchain`): jsonb keeps nulls.
 * - **a 24-hex string in a Mixed reference becomes the ObjectId it spells** (`mixed` below), on the
 *   source side. docs/data-policy.md reads such a string as the id it spells (`entity` or `dangling`),
 *   and the three columns keep the id, not its spelling, so the unmap returns an ObjectId. Occurs in
 *   clean data: template checkouts wrote `payments.sellerId` as the seller's hex string.
 * - key order is ignored (MongoDB documents are compared as EJSON with sorted keys).
 *
 * Nothing else: money must come back as the identical Decimal128, ids as ObjectIds, strings as strings,
 * dates to the millisecond, arrays (`offers` included) in their order.
 */
const COLLECTIONS: Readonly<Record<string, { paths: readonly string[]; mixed: readonly string[] }>> = {
  // paths: declared sub-documents and arrays of sub-documents whose null fields are dropped;
  // mixed: the Mixed (and polymorphic) references, whose 24-hex strings are read as ObjectIds (see above).
  purchaserequests: { paths: ['budget', 'deliveryInfo', 'serviceInfo'], mixed: [] },
  selleroffers: { paths: ['price'], mixed: [] },
  payments: { paths: ['amount'], mixed: ['purchaseRequestId', 'sellerOfferId', 'sellerId'] },
  fundsledgerentries: { paths: [], mixed: ['purchaseRequestId', 'paymentId'] },
  deriveddestinations: { paths: ['sweepHistory'], mixed: ['sellerId', 'paymentId'] },
  trezoraccounts: { paths: ['addresses'], mixed: [] },
  pointtransactions: { paths: [], mixed: ['referenceId'] },
  disputes: { paths: ['resolution', 'evidence', 'timeline'], mixed: [] },
};

/** The money paths of each collection (spec.moneyFields, with the array spelled out). */
const MONEY: Readonly<Record<string, readonly string[]>> = {
  purchaserequests: ['budget.amount'],
  selleroffers: ['price.amount'],
  payments: ['amount.value'],
  fundsledgerentries: ['amount'],
  deriveddestinations: ['sweepHistory.*.amount'],
  disputes: ['resolution.refundAmount'],
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Date) &&
  !('_bsontype' in value);

function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
}

function normalise(doc: Document, { paths, mixed }: (typeof COLLECTIONS)[string]): Document {
  const out = withoutNulls(doc);
  for (const key of mixed) {
    const value = out[key];
    if (typeof value === 'string' && /^[0-9a-f]{24}$/i.test(value)) out[key] = new ObjectId(value);
  }
  for (const path of paths) {
    const value = out[path];
    if (isPlainObject(value)) out[path] = withoutNulls(value);
    else if (Array.isArray(value))
      out[path] = value.map((element: unknown) => (isPlainObject(element) ? withoutNulls(element) : element));
  }
  return out;
}

/** Canonical EJSON with every plain object's keys sorted (BSON values and dates untouched). */
function canonical(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : isPlainObject(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted(v[k])]),
          )
        : v;
  return EJSON.stringify(sorted(value) as Document, { relaxed: false });
}

/** The values at a money path (`a.b`, or `a.*.b` across an array). */
function valuesAt(doc: Document, path: string): unknown[] {
  let values: unknown[] = [doc];
  for (const key of path.split('.'))
    values = values.flatMap((v) =>
      key === '*' ? (Array.isArray(v) ? v : []) : isPlainObject(v) && v[key] != null ? [v[key]] : [],
    );
  return values;
}

/** A hand-made document in a shape the generator never writes, and what its unmap must be. */
interface Edge {
  readonly collection: string;
  readonly doc: Document;
  /** The document the unmap returns: `doc` itself, except where the rows cannot say (named there). */
  readonly expected: Document;
}

const hex = (n: number) => new ObjectId(`5eed${String(n).padStart(20, '0')}`);
const at = (iso: string) => new Date(iso);

/**
 * Shapes real data may hold and the synthetic generator does not: undeclared keys inside declared
 * sub-documents, a present-but-empty sub-document, per-element `_id`s, `{}` and null array elements
 * (ordinal gaps), Mixed values with nulls / empty objects / arrays inside, money at 18 decimals, signed,
 * and in a non-canonical Decimal128 cohort. Parents are clean seeded documents.
 */
async function insertEdges(source: MongoDb, seed: SeedResult): Promise<Edge[]> {
  const quirky = new Set(seed.quirks.map((q) => `${q.collection}:${q.id}`));
  const clean = async (collection: string) => {
    for (const doc of await source.collection(collection).find().toArray())
      if (!quirky.has(`${collection}:${String(doc._id.toHexString())}`)) return doc;
    throw new Error(`no clean ${collection}`);
  };
  const request = await clean('purchaserequests');
  const offer = await clean('selleroffers');
  const user = request.buyerId as ObjectId;
  const seller = offer.sellerId as ObjectId;
  const created = { createdAt: at('2024-02-03T04:05:06.789Z'), updatedAt: at('2024-02-04T00:00:00Z') };

  const edges: Edge[] = [];
  const edge = (collection: string, doc: Document, expected: Document = doc) =>
    edges.push({ collection, doc, expected });

  const budget = { amount: Decimal128.fromString('12.500'), currency: 'USD', note: 'nested, undeclared' };
  const requestDoc = {
    _id: hex(1),
    buyerId: user,
    title: 'edge',
    budget,
    status: 'open',
    offers: [],
    preferredSellerIds: [seller, null, user],
    deliveryInfo: {},
    serviceInfo: { remote: false, room: 'B2' },
    legacy: { a: null, b: [1, 'x'] },
    ...created,
  };
  // Lost: the Decimal128 cohort (12.500 and 12.5 are one numeric value; numeric(38,18) keeps no scale).
  edge('purchaserequests', requestDoc, {
    ...requestDoc,
    budget: { ...budget, amount: Decimal128.fromString('12.5') },
  });
  edge('selleroffers', {
    _id: hex(2),
    purchaseRequestId: request._id,
    sellerId: seller,
    price: { amount: Decimal128.fromString('100'), currency: 'BTC', note: 'n' },
    status: 'pending',
    ...created,
  });
  edge('payments', {
    _id: hex(3),
    purchaseRequestId: 'tmpl_edge',
    sellerOfferId: hex(99),
    buyerId: user,
    sellerId: 'seller:external',
    amount: { value: Decimal128.fromString('-0.000000000000000001'), currency: 'EUR', fx: 1.1 },
    provider: 'other',
    direction: 'refund',
    status: 'failed',
    blockchain: {},
    metadata: { a: null, b: {}, c: [null, 1.5], d: hex(98) },
    isRefunded: false,
    ...created,
  });
  edge('fundsledgerentries', {
    _id: hex(4),
    purchaseRequestId: 'tmpl_edge',
    paymentId: hex(97),
    userId: user,
    type: 'adjustment',
    amount: Decimal128.fromString('-9999999999999999.999999999999999999'), // 34 digits: Decimal128's all
    metadata: [1, 'a', { x: null }],
    createdAt: created.createdAt,
  });
  // An old numeric-string row with 38 significant digits: numeric(38,18) holds it, Decimal128 cannot,
  // so it comes back as the exact numeric string it was (never rounded, never a JS number).
  edge('fundsledgerentries', {
    _id: hex(15),
    userId: user,
    amount: '12345678901234567890.123456789012345678',
  });
  edge('deriveddestinations', {
    _id: hex(5),
    buyerId: user,
    sellerId: 'tmpl_edge',
    chain: 'polygon',
    derivationIndex: 0,
    address: '0xedge000000000000000000000000000000000001',
    status: 'swept',
    sweepHistory: [
      { _id: hex(6), txHash: '0x1', amount: Decimal128.fromString('0.000000000000000001'), status: 'ok' },
      {},
      { _id: hex(7), sweptAt: at('2024-03-01T00:00:00Z'), fee: 2 },
    ],
    ...created,
  });
  edge('trezoraccounts', {
    _id: hex(8),
    label: 'edge',
    xpub: 'xpub-edge',
    addresses: [
      { _id: hex(9), index: 0, address: 'a0', createdAt: at('2024-01-01T00:00:00Z'), memo: 'x' },
      {},
    ],
    ...created,
  });
  edge('pointtransactions', {
    _id: hex(10),
    userId: user,
    points: -3,
    referenceType: 'promo',
    referenceId: 'promo:EDGE',
    metadata: { nested: { deep: null } },
    createdAt: created.createdAt,
  });
  const resolution = { refundAmount: '0.10', resolvedBy: user, note: 'nested, undeclared' };
  const disputeDoc = {
    _id: hex(11),
    purchaseRequestId: request._id,
    openedBy: user,
    againstUserId: seller,
    status: 'resolved_buyer',
    evidence: [null, {}, { _id: hex(12), type: 'link', url: 'https://x' }],
    timeline: [{ _id: hex(13), at: at('2024-02-03T04:05:06Z'), action: 'opened', extra: 'kept' }],
    chatId: hex(14),
    resolution,
    ...created,
  };
  // Lost: that refundAmount was a numeric string on an old row (and its trailing zero); the value stays.
  edge('disputes', disputeDoc, {
    ...disputeDoc,
    resolution: { ...resolution, refundAmount: Decimal128.fromString('0.1') },
  });
  for (const { collection, doc } of edges) await source.collection(collection).insertOne({ ...doc });
  return edges;
}

describe('reverse mapping of the money core: rows → the MongoDB document', () => {
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let ours: TestDatabase;
  let seed: SeedResult;
  let edges: Edge[];

  beforeAll(async () => {
    mongo = await startTestMongo();
    client = new MongoClient(mongo.url);
    await client.connect();
    source = client.db(mongo.dbName);
    ours = await createTestDatabase();
    seed = await seedDatabase(source, { docs: 600, seed: 3, quirkRate: 0.2 });
    edges = await insertEdges(source, seed);
    await copyCollections(ours.db.$client, source);
  });
  afterAll(async () => {
    await ours?.drop();
    await client?.close();
    await mongo?.stop();
  });

  for (const [collection, normalisation] of Object.entries(COLLECTIONS)) {
    it(`${collection}: unmap ∘ map is exact, and clean documents come back as MongoDB holds them`, async () => {
      const { problems, documents } = await roundTrip(ours.db.$client, collection);
      expect(problems).toEqual([]);
      expect(documents.size).toBeGreaterThan(0);

      const quirky = new Map(seed.quirks.filter((q) => q.collection === collection).map((q) => [q.id, q]));
      const sources = new Map<string, Document>();
      for (const found of await source
        .collection(collection)
        .find({ _id: { $in: [...documents.keys()].map((id) => idValue(id)) } } as Document)
        .toArray())
        sources.set(EJSON.stringify({ id: found._id }), found);
      const sourceOf = (legacyId: string) => sources.get(EJSON.stringify({ id: idValue(legacyId) }));

      const edgeIds = new Set(edges.map((e) => String((e.doc._id as ObjectId).toHexString())));
      let clean = 0;
      const differences: string[] = [];
      for (const [legacyId, unmapped] of documents) {
        const original = sourceOf(legacyId);
        expect(original, `${collection} ${legacyId} is live in Postgres but not in MongoDB`).toBeDefined();
        // Money comes back as the exact Decimal128, whatever the source held (old doubles and strings too).
        for (const path of MONEY[collection] ?? []) {
          const back = valuesAt(unmapped, path);
          const held = valuesAt(original!, path);
          expect(back.length, `${collection} ${legacyId} ${path}`).toBe(held.length);
          back.forEach((value, i) => {
            const exact = readMoney(held[i]);
            if (!exact.ok) throw new Error(`${collection} ${legacyId} ${path}: ${exact.detail}`);
            const text = formatScaled(exact.scaled);
            // Beyond Decimal128's 34 digits (numeric(38,18) holds 38), the exact numeric string instead.
            const digits = text.replace(/^-?[0.]*/, '').replace('.', '').length;
            if (digits <= 34) expect(value).toBeInstanceOf(Decimal128);
            expect(value, `${collection} ${legacyId} ${path}`).toEqual(
              digits > 34 ? text : Decimal128.fromString(text),
            );
          });
        }
        if (quirky.has(legacyId) || edgeIds.has(legacyId)) continue;
        clean++;
        const want = canonical(normalise(original!, normalisation));
        const got = canonical(normalise(unmapped as LegacyDoc, normalisation));
        if (want !== got) differences.push(`${legacyId}\n  mongo:   ${want}\n  unmap:   ${got}`);
      }
      expect(differences).toEqual([]);
      expect(clean).toBeGreaterThan(0);
      console.info(
        `${collection}: ${documents.size} round trips, ${clean} clean documents equal to MongoDB's`,
      );
    });
  }
  it('shapes the generator never writes come back exactly (losses named in insertEdges)', async () => {
    for (const { collection, doc, expected } of edges) {
      const { problems, documents } = await roundTrip(ours.db.$client, collection);
      expect(problems).toEqual([]);
      const unmapped = documents.get((doc._id as ObjectId).toHexString() as never);
      expect(unmapped, `${collection} edge document was not migrated`).toBeDefined();
      expect(canonical(unmapped), collection).toBe(canonical(expected));
    }
  });
});
