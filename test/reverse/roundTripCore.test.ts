import { Decimal128, EJSON, ObjectId, type Document } from 'bson';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyIdOf } from '../../src/collections/mapping/legacyId.js';
import { REGISTRY } from '../../src/collections/registry.js';
import type { Unmapper } from '../../src/collections/unmapping.js';
import { seedDatabase, type QuirkRecord } from '../../src/synthetic/seed.js';
import { copyCollections } from '../support/agreement.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { roundTrip } from '../support/roundTrip.js';

/**
 * The reverse mappings of the core collections (src/collections/<c>/unmap.ts), on a synthetic source
 * with quirks (real data shapes), backfilled through the real chunk path:
 * 1. the contract (test/support/roundTrip.ts): mapping each unmapped document gives back the stored rows;
 * 2. the unmapped document IS the MongoDB document, after the normalisations below, for every live
 *    document except those the forward mapping knowingly loses information about (LOSSY).
 */

type Doc = Record<string, unknown>;

/**
 * Source shapes the forward mapping cannot tell apart, so the unmapped document holds one of them:
 * the source side is normalised to that one. Anything not listed here must come back exactly.
 */
const NORMALISE: Readonly<Record<string, (doc: Doc) => void>> = {
  users(doc) {
    // `passkeys` absent (users older than the feature) and `[]` are both zero rows; the model declares a
    // document array, which Mongoose defaults to [], so the unmapped document says [].
    doc.passkeys ??= [];
  },
  addresses(doc) {
    // `primary` absent (documents older than the field) is the model's default false: a NOT NULL column.
    doc.primary ??= false;
  },
};

/**
 * Every collection: a field holding null is dropped. The mapper reads null and absent alike (NULL
 * column, no link), and MongoDB documents omit a field rather than store null (unmapping.ts documentOf).
 * Top-level fields and the fields of declared sub-documents only: INSIDE a Mixed value
 * (configsettings.value `{ note: null }`) a null is data and must come back. (The seed's undeclared
 * fields, kept whole in legacy_extra, are never null.)
 */
function dropNulls(doc: Doc, depth: number): void {
  for (const [key, value] of Object.entries(doc)) {
    if (value === null) delete doc[key];
    else if (depth > 0 && isPlainObject(value)) dropNulls(value, depth - 1);
  }
}
/** How deep declared sub-documents go (users.preferences.notifications); no Mixed field is among them. */
const SUBDOC_DEPTH: Readonly<Record<string, number>> = { users: 2 };

/**
 * Documents whose stored rows knowingly lost something, by the seed's quirk (reported with the reverse
 * mapping); the migration_anomalies check skips every document the mapper flagged, for the same reason
 * (a reference whose target is gone is NULL, its id only in the anomaly; a demoted second primary; a
 * null array element). Here, what is lost without an anomaly: a 24-hex STRING reference is read as the
 * ObjectId it spells, and comes back as that ObjectId.
 */
const LOSSY_QUIRKS: Readonly<Record<string, readonly string[]>> = {
  addresses: ['string_hex_id'],
  categories: ['string_hex_parent'],
};

/**
 * Shapes the seed does not produce at this size, inserted beside it: what each must come back as is
 * spelled out (`expect`), so the two lossy ones (a string `_id` setting without `key`, a 24-hex string
 * parent) are pinned, and the lossless ones (nested undeclared fields, interior null elements, a
 * subdocument `_id`, an empty subdocument, Mixed values with nulls, BSON values and empty containers)
 * are held to exactness.
 */
function craftedDocuments(parent: ObjectId): { collection: string; doc: Doc; expect: Doc }[] {
  const at = new Date('2023-04-05T06:07:08.009Z');
  const same = (collection: string, doc: Doc) => ({ collection, doc, expect: doc });
  const user: Doc = {
    _id: new ObjectId(),
    email: 'crafted@example.com',
    role: 'seller',
    status: 'active',
    profile: { firstName: 'Ada', nickname: 'undeclared, nested in a declared sub-document' },
    preferences: { language: 'he', notifications: { email: true, sms: false } },
    points: 12,
    level: 1,
    passkeys: [{ _id: new ObjectId(), credentialId: 'c1', counter: 4_294_967_296, transports: [] }, {}],
    // Interior nulls come back (the ordinals of the rows around them say where they were).
    refreshTokens: [null, { tokenHash: 'h1', createdAt: at }, null, { tokenHash: 'h2' }],
    legacyNote: { nested: [1, 2.5, null], when: at },
    createdAt: at,
    updatedAt: at,
  };
  const legacySetting: Doc = {
    _id: 'crafted.legacy',
    value: {
      note: null,
      empty: {},
      list: [],
      id: new ObjectId(),
      at,
      price: Decimal128.fromString('1.50'),
      n: 3,
      f: 2.25,
    },
    description: 'a pre-2024 setting without a key field',
  };
  const category: Doc = {
    _id: new ObjectId(),
    name: 'Crafted',
    slug: 'crafted-unmap',
    parentId: parent.toHexString(),
  };
  return [
    same('users', user),
    // LOSSY: the key a string-_id setting is read by is stored, so it comes back as a field.
    { collection: 'configsettings', doc: legacySetting, expect: { ...legacySetting, key: 'crafted.legacy' } },
    same('configsettings', { _id: new ObjectId(), key: 'crafted.empty', value: {}, createdAt: at }),
    same('configsettinghistories', {
      _id: new ObjectId(),
      settingId: 'crafted.legacy',
      key: 'crafted.legacy',
      oldValue: {},
      newValue: [null, { a: null }],
      changedAt: at,
    }),
    // LOSSY: a 24-hex string parent is the ObjectId it spells; `isActive` absent is the model's default.
    { collection: 'categories', doc: category, expect: { ...category, parentId: parent, isActive: true } },
    same('levelconfigs', { _id: new ObjectId(), level: 11, name: 'Crafted', benefits: [] }),
    same('levelconfigs', { _id: new ObjectId(), level: 12, minPoints: 0 }),
  ];
}

const CORE = [
  'users',
  'addresses',
  'categories',
  'levelconfigs',
  'configsettings',
  'configsettinghistories',
  'shopsettings',
  'reviews',
] as const;

function isPlainObject(value: unknown): value is Doc {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Canonical Extended JSON (every BSON type explicit) with object keys sorted, arrays in order. */
function canonical(doc: Doc): string {
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : isPlainObject(value)
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, sorted(value[key])]),
          )
        : value;
  return JSON.stringify(sorted(EJSON.serialize(doc, { relaxed: false })));
}

function normalised(collection: string, source: Doc): string {
  const doc = structuredCloneBson(source);
  dropNulls(doc, SUBDOC_DEPTH[collection] ?? 0);
  NORMALISE[collection]?.(doc);
  return canonical(doc);
}

/** A deep copy that keeps BSON values (structuredClone would strip their prototypes). */
function structuredCloneBson(doc: Doc): Doc {
  return EJSON.deserialize(EJSON.serialize(doc, { relaxed: false }), { relaxed: false }) as Doc;
}

describe('reverse mapping of the core collections: rows → the MongoDB document', () => {
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let pg: TestDatabase;
  let quirks: QuirkRecord[];
  let crafted: ReturnType<typeof craftedDocuments>;

  beforeAll(async () => {
    mongo = await startTestMongo();
    client = new MongoClient(mongo.url);
    await client.connect();
    source = client.db(mongo.dbName);
    pg = await createTestDatabase();
    ({ quirks } = await seedDatabase(source, { docs: 600, seed: 3, quirkRate: 0.2 }));
    const parent = await source.collection('categories').findOne({ _id: { $type: 'objectId' } });
    crafted = craftedDocuments(parent!._id as ObjectId);
    for (const { collection, doc } of crafted) await source.collection(collection).insertOne({ ...doc });
    await copyCollections(pg.db.$client, source);
  });
  afterAll(async () => {
    await pg?.drop();
    await client?.close();
    await mongo?.stop();
  });

  it.each(CORE)('%s: every live row round-trips, and the document is MongoDB’s', async (collection) => {
    const { problems, documents } = await roundTrip(pg.db.$client, collection);
    expect(problems).toEqual([]);
    expect(documents.size).toBeGreaterThan(0);

    const flagged = new Set(
      (
        await pg.db.$client.query<{ id: string }>(
          `SELECT DISTINCT legacy_object_id AS id FROM migration_anomalies WHERE collection = $1`,
          [collection],
        )
      ).rows.map((r) => r.id),
    );
    const lossy = new Set(
      quirks
        .filter((q) => q.collection === collection && (LOSSY_QUIRKS[collection] ?? []).includes(q.quirk))
        .map((q) => q.id),
    );
    const craftedIds = new Set(crafted.map((c) => legacyIdOf(c.doc._id)));
    const originals = new Map<string, Document>();
    for await (const doc of source.collection(collection).find({})) originals.set(legacyIdOf(doc._id), doc);

    let compared = 0;
    const mismatches: string[] = [];
    for (const [legacyId, unmapped] of documents) {
      if (flagged.has(legacyId) || lossy.has(legacyId) || craftedIds.has(legacyId)) continue;
      const original = originals.get(legacyId);
      expect(original, `${collection} ${legacyId} is not in MongoDB`).toBeDefined();
      const want = normalised(collection, original!);
      const got = canonical(unmapped);
      if (got !== want) mismatches.push(`${collection} ${legacyId}\n  mongo:  ${want}\n  unmap:  ${got}`);
      compared += 1;
    }
    console.info(
      `${collection}: ${documents.size} live, ${compared} compared, ${flagged.size} flagged, ${lossy.size} lossy quirks`,
    );
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The exclusions must leave most documents compared, quirky ones (unknown fields, no timestamps,
    // unicode, empty/absent arrays, interior null elements) included.
    expect(compared).toBeGreaterThan(documents.size / 2);
  });

  /** Runs the oracle with `collection`'s unmap wrapped by `change` (the spec restored after). */
  async function roundTripWith(collection: string, change: (doc: Doc) => void): Promise<string[]> {
    const spec = REGISTRY.get(collection) as { unmap?: Unmapper };
    const unmap = spec.unmap!;
    spec.unmap = (stored, of) => {
      const doc = unmap(stored, of);
      change(doc);
      return doc;
    };
    try {
      return (await roundTrip(pg.db.$client, collection)).problems;
    } finally {
      spec.unmap = unmap;
    }
  }

  it('the oracle catches an unmap that drops a deferred link column', async () => {
    for (const [collection, field, column] of [
      ['categories', 'parentId', 'parent_id'],
      ['users', 'referredBy', 'referred_by_id'],
    ] as const) {
      const problems = await roundTripWith(collection, (doc) => delete doc[field]);
      expect(problems.length, `${collection}.${field}`).toBeGreaterThan(0);
      expect(problems.every((p) => p.includes(`${column} stored `) && p.endsWith('no link'))).toBe(true);
    }
  });

  it('the oracle compares jsonb values with their keys sorted', async () => {
    const reversed = (value: unknown): unknown =>
      isPlainObject(value)
        ? Object.fromEntries(
            Object.keys(value)
              .reverse()
              .map((key) => [key, reversed(value[key])]),
          )
        : value;
    expect(await roundTripWith('configsettings', (doc) => (doc.value = reversed(doc.value)))).toEqual([]);
  });

  it('crafted shapes come back as spelled out, lossless ones exactly', async () => {
    for (const collection of new Set(crafted.map((c) => c.collection))) {
      const { problems, documents } = await roundTrip(pg.db.$client, collection);
      expect(problems).toEqual([]);
      for (const { doc, expect: want } of crafted.filter((c) => c.collection === collection)) {
        const unmapped = documents.get(legacyIdOf(doc._id));
        expect(unmapped, `${collection} ${String(doc._id)}`).toBeDefined();
        expect(canonical(unmapped!)).toBe(canonical(want));
      }
    }
  });
});
