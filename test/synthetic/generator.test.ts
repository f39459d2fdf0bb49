import { EJSON, ObjectId } from 'bson';
import type { Db, Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBatch } from '../../src/synthetic/batch.js';
import { createPlan } from '../../src/synthetic/plan.js';
import type { QuirkRecord } from '../../src/synthetic/quirks.js';
import { REGISTRY } from '../../src/synthetic/registry.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { generateDataset, idText, strings } from './dataset.js';
import type { Dataset } from './dataset.js';
import { DECLARED, ORPHAN_FIELD, POLICY, SHOWS } from './expectations.js';

const ejson = (value: unknown) => EJSON.stringify(value, { relaxed: false });

describe('synthetic generator (pure)', () => {
  let data: Dataset;
  const idsOf = (collection: string) => new Set((data.docs[collection] ?? []).map((doc) => idText(doc._id)));
  const label = (collection: string, doc: Document) => data.labels.get(collection)?.get(idText(doc._id));
  /** Ids of documents the migration will take (not labelled rejected): the only valid targets of clean references. */
  const migratingIds = (collection: string) =>
    new Set(
      (data.docs[collection] ?? [])
        .filter((doc) => label(collection, doc)?.expect.outcome !== 'rejected')
        .map((doc) => idText(doc._id)),
    );

  beforeAll(() => {
    data = generateDataset({ docs: 8000, seed: 42, quirkRate: 0.05 });
  });

  it('is deterministic: same options give identical documents, whatever the batch size', () => {
    const again = generateDataset({ docs: 8000, seed: 42, quirkRate: 0.05 }, 7);
    expect(ejson(again.docs)).toBe(ejson(data.docs));
    expect(again.quirks).toEqual(data.quirks);
    const other = generateDataset({ docs: 8000, seed: 43, quirkRate: 0.05 });
    for (const { generator } of REGISTRY)
      expect(ejson(other.docs[generator.name]), generator.name).not.toBe(ejson(data.docs[generator.name]));
  });

  it('sizes collections by the registry proportions', () => {
    for (const docs of [5000, 100_000]) {
      const plan = createPlan({ docs, seed: 1, quirkRate: 0.02 });
      const total = Object.values(plan.counts).reduce((a, b) => a + b, 0);
      expect(Math.abs(total - docs) / docs).toBeLessThan(0.01);
      expect(plan.counts.levelconfigs).toBe(10);
      expect(plan.counts.configsettings).toBe(Math.min(200, Math.max(20, Math.round(docs / 500))));
      expect(plan.counts.trezoraccounts).toBe(Math.min(50, Math.max(10, Math.round(docs / 20_000))));
      const fixed =
        (plan.counts.levelconfigs ?? 0) +
        (plan.counts.configsettings ?? 0) +
        (plan.counts.trezoraccounts ?? 0);
      const shares = REGISTRY.reduce((sum, { size }) => sum + ('share' in size ? size.share : 0), 0);
      // Shares are of the whole migrated schema: they sum to 1.
      expect(shares).toBeCloseTo(1, 9);
      for (const { generator, size } of REGISTRY) {
        if (!('share' in size)) continue;
        const expected = ((docs - fixed) * size.share) / shares;
        expect(
          Math.abs((plan.counts[generator.name] ?? 0) - expected) / expected,
          generator.name,
        ).toBeLessThan(0.05);
      }
      // ~14.5% of the dataset is users, 6% requests with 2.5 offers each, at most one shop per seller.
      expect(plan.counts.shopsettings).toBeLessThanOrEqual(plan.population.sellers.length);
      expect((plan.counts.users ?? 0) / docs).toBeCloseTo(0.145, 2);
      expect((plan.counts.selleroffers ?? 0) / (plan.counts.purchaserequests ?? 1)).toBeCloseTo(2.5, 1);
    }
  });

  it('carries quirks at the configured rate, and none at rate 0', () => {
    const dataset = generateDataset({ docs: 20_000, seed: 9, quirkRate: 0.02 });
    const total = Object.values(dataset.docs).reduce((sum, docs) => sum + docs.length, 0);
    expect(dataset.quirks.length / total).toBeGreaterThan(0.019);
    expect(dataset.quirks.length / total).toBeLessThan(0.025);
    expect(generateDataset({ docs: 2000, seed: 9, quirkRate: 0 }).quirks).toEqual([]);
  });

  it('covers every quirk kind, labelled exactly as docs/data-policy.md predicts', () => {
    for (const { generator } of REGISTRY) {
      expect(generator.quirks, generator.name).toEqual(POLICY[generator.name]);
      const seen = new Set(data.quirks.filter((q) => q.collection === generator.name).map((q) => q.quirk));
      expect([...seen].sort(), generator.name).toEqual(Object.keys(generator.quirks).sort());
    }
    for (const record of data.quirks)
      expect(record.expect).toEqual(POLICY[record.collection]?.[record.quirk]);
  });

  it('labels each quirky document once, and each label shows in its document', () => {
    const keys = data.quirks.map((q: QuirkRecord) => `${q.collection}/${q.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const { generator } of REGISTRY) {
      const byId = new Map((data.docs[generator.name] ?? []).map((doc) => [idText(doc._id), doc]));
      for (const record of data.quirks.filter((q) => q.collection === generator.name)) {
        const doc = byId.get(record.id);
        expect(doc, record.id).toBeDefined();
        const orphanField = ORPHAN_FIELD[record.quirk];
        const show = SHOWS[`${record.collection}/${record.quirk}`] ?? SHOWS[record.quirk];
        const shows = orphanField !== undefined ? doc?.[orphanField] instanceof ObjectId : show?.(doc ?? {});
        expect(shows, `${record.collection}/${record.id} ${record.quirk}`).toBe(true);
      }
    }
  });

  it('keeps clean documents clean: declared fields, timestamps, plain text, valid values', () => {
    for (const { generator } of REGISTRY) {
      const declared = new Set(['_id', 'createdAt', 'updatedAt', ...(DECLARED[generator.name] ?? [])]);
      for (const doc of data.docs[generator.name] ?? []) {
        if (label(generator.name, doc) !== undefined) continue;
        const where = `${generator.name}/${idText(doc._id)}`;
        expect(
          Object.keys(doc).filter((key) => !declared.has(key)),
          where,
        ).toEqual([]);
        expect(doc.createdAt, where).toBeInstanceOf(Date);
        for (const s of strings(doc)) {
          expect(s.length < 1000 && !/[\u0590-\u08ff]|\p{Extended_Pictographic}/u.test(s), where).toBe(true);
        }
      }
    }
    for (const user of data.docs.users ?? []) {
      if (label('users', user) !== undefined) continue;
      expect(['buyer', 'seller', 'admin']).toContain(user.role);
      expect(['active', 'suspended', 'deleted']).toContain(user.status);
      expect(Number.isInteger(user.points)).toBe(true);
      expect(user.refreshTokens).not.toContain(null);
      for (const passkey of user.passkeys ?? [])
        expect(new Set(passkey.transports).size).toBe(passkey.transports.length);
    }
  });

  it('points references at generated parents that migrate, except labelled orphans', () => {
    const users = migratingIds('users');
    const allUsers = idsOf('users');
    const check = (
      collection: string,
      field: string,
      parents: Set<string>,
      nullable: boolean,
      stringIds = false,
    ) => {
      for (const doc of data.docs[collection] ?? []) {
        const record = label(collection, doc);
        const value = doc[field];
        const where = `${collection}/${idText(doc._id)}.${field}`;
        if (record !== undefined && ORPHAN_FIELD[record.quirk] === field) {
          // An orphan must not point at anything generated, migrating or not.
          expect(allUsers.has(idText(value)) || idsOf(collection).has(idText(value)), where).toBe(false);
        } else if (value === null || value === undefined) {
          expect(nullable || ['missing_user_id', 'null_user_id'].includes(record?.quirk ?? ''), where).toBe(
            true,
          );
        } else if (
          typeof value === 'number' ||
          (typeof value === 'string' && !stringIds && !/^[0-9a-f]{24}$/.test(value))
        ) {
          expect(record?.expect.outcome, where).toBe('rejected');
        } else {
          expect(parents.has(idText(value)), where).toBe(true);
        }
      }
    };
    check('users', 'referredBy', users, true);
    check('addresses', 'userId', users, false);
    check('categories', 'parentId', migratingIds('categories'), true);
    check('configsettings', 'updatedBy', users, true);
    check('configsettinghistories', 'changedBy', users, false);
    // Pre-2024 settings have the key as a string _id, and their histories reference it so.
    check('configsettinghistories', 'settingId', migratingIds('configsettings'), false, true);
    const sellers = new Set(
      (data.docs.users ?? []).filter((u) => u.role === 'seller').map((u) => idText(u._id)),
    );
    check('shopsettings', 'sellerId', new Set([...users].filter((id) => sellers.has(id))), false);
    // The money core's references are held to the policy oracle in moneyCore.test.ts; the typed required
    // ones are checked here the same way as above.
    check('selleroffers', 'purchaseRequestId', migratingIds('purchaserequests'), false);
    check('payments', 'buyerId', users, false);
    check('fundsledgerentries', 'userId', users, false);
    check('pointtransactions', 'userId', users, false);
    check('disputes', 'openedBy', users, false);
    check('disputes', 'purchaseRequestId', migratingIds('purchaserequests'), false);
    check('reviews', 'reviewerId', users, false);
    check('reviews', 'purchaseRequestId', migratingIds('purchaserequests'), true);
    check('deriveddestinations', 'buyerId', users, false);

    const levels = new Set((data.docs.levelconfigs ?? []).map((row) => row.level));
    for (const user of data.docs.users ?? []) {
      if (label('users', user)?.quirk !== 'unknown_level') expect(levels.has(user.level)).toBe(true);
    }
    const settingsById = new Map((data.docs.configsettings ?? []).map((s) => [idText(s._id), s]));
    for (const history of data.docs.configsettinghistories ?? []) {
      expect(settingsById.get(idText(history.settingId))?.key).toBe(history.key);
    }
  });

  it('mixes string and ObjectId configsettings ids, and every JSON kind of value', () => {
    const settings = data.docs.configsettings ?? [];
    const stringIds = settings.filter((s) => typeof s._id === 'string');
    expect(stringIds.length / settings.length).toBeGreaterThan(0.3);
    expect(stringIds.length / settings.length).toBeLessThan(0.5);
    for (const s of stringIds) expect(s._id).toBe(s.key);
    expect((data.docs.configsettinghistories ?? []).some((h) => typeof h.settingId === 'string')).toBe(true);
    const values = [
      ...settings.map((s) => s.value),
      ...(data.docs.configsettinghistories ?? []).map((h) => h.newValue),
    ];
    const kinds = new Set(values.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)));
    expect([...kinds].sort()).toEqual(['array', 'boolean', 'null', 'number', 'object', 'string']);
  });

  it('keeps unique fields unique (the Mongo unique indexes would refuse the rest)', () => {
    const unique = (collection: string, field: string) => {
      const values = (data.docs[collection] ?? [])
        .filter((doc) => field in doc)
        .map((doc) => ejson(doc[field]));
      expect(new Set(values).size, `${collection}.${field}`).toBe(values.length);
      expect(values, `${collection}.${field}: a sparse index still indexes null`).not.toContain('null');
    };
    for (const { generator } of REGISTRY) unique(generator.name, '_id');
    unique('users', 'email');
    unique('users', 'referralCode');
    unique('categories', 'slug');
    unique('levelconfigs', 'level');
    unique('configsettings', 'key');
    unique('shopsettings', 'sellerId');
    for (const user of data.docs.users ?? [])
      if (user.email) expect(user.email).toBe(user.email.toLowerCase());
  });

  it('labels exactly the later of two primary addresses of one user, by _id order, for demotion', () => {
    const addresses = [...(data.docs.addresses ?? [])].sort((a, b) =>
      idText(a._id).localeCompare(idText(b._id)),
    );
    const hasPrimary = new Set<string>();
    let duplicates = 0;
    for (const address of addresses) {
      const record = label('addresses', address);
      if (record?.expect.outcome === 'rejected' && record.quirk !== 'duplicate_primary') continue;
      if (address.primary !== true) continue;
      const owner = idText(address.userId);
      expect(record?.quirk === 'duplicate_primary', idText(address._id)).toBe(hasPrimary.has(owner));
      if (hasPrimary.has(owner)) duplicates++;
      hasPrimary.add(owner);
    }
    expect(duplicates).toBe(data.quirks.filter((q) => q.quirk === 'duplicate_primary').length);
    expect(duplicates).toBeGreaterThan(0);
  });

  it('stays feasible at a million documents: plan in bounded memory, any batch alone', () => {
    const plan = createPlan({ docs: 1_000_000, seed: 42, quirkRate: 0.02 });
    expect(Object.values(plan.counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(990_000);
    // The only per-document state: two Int32Arrays over the users.
    expect(plan.population.users.byteLength + plan.population.sellers.byteLength).toBeLessThan(4 * 1_000_000);
    const middle = Math.floor((plan.counts.addresses ?? 0) / 2);
    const batch = generateBatch(plan, 'addresses', middle, middle + 1000);
    const again = generateBatch(
      createPlan({ docs: 1_000_000, seed: 42, quirkRate: 0.02 }),
      'addresses',
      middle,
      middle + 1000,
    );
    expect(batch.docs).toHaveLength(1000);
    expect(ejson(batch.docs)).toBe(ejson(again.docs));
  });
});

/** A Db stand-in that records what the seeder asks of it. */
function recordingDb(existing: Record<string, number> = {}) {
  const calls: { op: string; collection: string; size?: number; ordered?: boolean }[] = [];
  const stored: Record<string, Document[]> = {};
  const db = {
    collection: (name: string) => ({
      findOne: async () => ((existing[name] ?? 0) > 0 ? { _id: 1 } : null),
      drop: async () => {
        calls.push({ op: 'drop', collection: name });
        existing[name] = 0;
        return true;
      },
      createIndexes: async (specs: unknown[]) => {
        calls.push({ op: 'createIndexes', collection: name, size: specs.length });
        return [];
      },
      insertMany: async (docs: Document[], options: { ordered?: boolean }) => {
        calls.push({ op: 'insertMany', collection: name, size: docs.length, ordered: options.ordered });
        (stored[name] ??= []).push(...docs);
        return { insertedCount: docs.length };
      },
    }),
  };
  return { db: db as unknown as Db, calls, stored };
}

describe('seedDatabase (recorded driver calls)', () => {
  it('creates indexes, inserts unordered batches parents first, and reports what it generated', async () => {
    const { db, calls, stored } = recordingDb();
    const progress: number[] = [];
    const result = await seedDatabase(
      db,
      { docs: 3000, quirkRate: 0.05, batchSize: 250 },
      (inserted, total) => {
        progress.push(inserted);
        expect(inserted).toBeLessThanOrEqual(total);
      },
    );
    const expected = generateDataset({ docs: 3000, seed: 42, quirkRate: 0.05 });
    expect(result.counts).toEqual(expected.plan.counts);
    expect(result.quirks).toEqual(expected.quirks);
    expect(ejson(stored)).toBe(ejson(expected.docs));
    expect(progress.at(-1)).toBe(Object.values(result.counts).reduce((a, b) => a + b, 0));
    const inserts = calls.filter((c) => c.op === 'insertMany');
    expect(inserts.every((c) => c.ordered === false && (c.size ?? 0) <= 250)).toBe(true);
    expect([...new Set(inserts.map((c) => c.collection))]).toEqual(
      REGISTRY.map(({ generator }) => generator.name),
    );
    for (const name of ['users', 'categories', 'levelconfigs', 'configsettings', 'shopsettings']) {
      const indexAt = calls.findIndex((c) => c.op === 'createIndexes' && c.collection === name);
      expect(indexAt, name).toBeGreaterThanOrEqual(0);
      expect(indexAt).toBeLessThan(calls.findIndex((c) => c.op === 'insertMany' && c.collection === name));
    }
    expect(result.seconds).toBeGreaterThan(0);
  });

  it('refuses a non-empty collection unless asked to drop it', async () => {
    await expect(seedDatabase(recordingDb({ users: 5 }).db, { docs: 100 })).rejects.toThrow(
      /users is not empty/,
    );
    const { db, calls } = recordingDb({ users: 5 });
    await seedDatabase(db, { docs: 100, drop: true });
    expect(calls.filter((c) => c.op === 'drop')).toHaveLength(REGISTRY.length);
  });
});

describe('seedDatabase into MongoDB', () => {
  let mongo: TestMongo;
  let client: MongoClient;

  beforeAll(async () => {
    mongo = await startTestMongo();
    client = await new MongoClient(mongo.url).connect();
  });
  afterAll(async () => {
    await client?.close();
    await mongo?.stop();
  });

  it('writes the generated documents byte for byte, with the production indexes', async () => {
    const db = client.db(mongo.dbName);
    const options = { docs: 2000, seed: 5, quirkRate: 0.05 };
    const result = await seedDatabase(db, { ...options, batchSize: 300 });
    const expected = generateDataset(options);

    for (const { generator } of REGISTRY) {
      const name = generator.name;
      expect(await db.collection(name).countDocuments(), name).toBe(result.counts[name]);
      const indexes = await db.collection(name).listIndexes().toArray();
      for (const spec of generator.indexes) {
        const found = indexes.find((index) => ejson(index.key) === ejson(spec.key));
        expect(found, `${name} ${ejson(spec.key)}`).toBeDefined();
        expect(Boolean(found?.unique)).toBe(Boolean(spec.unique));
        expect(Boolean(found?.sparse)).toBe(Boolean(spec.sparse));
        if (spec.name !== undefined) expect(found?.name).toBe(spec.name);
        expect(ejson(found?.partialFilterExpression)).toBe(ejson(spec.partialFilterExpression));
      }
    }

    // Quirky documents survive the round trip with their types: string ids, nulls in arrays, string points.
    for (const record of result.quirks.filter((_, i) => i % 5 === 0)) {
      const source = expected.docs[record.collection]?.find((doc) => idText(doc._id) === record.id);
      const stored = await db.collection(record.collection).findOne({ _id: source?._id });
      expect(ejson(stored), `${record.collection}/${record.id} ${record.quirk}`).toBe(ejson(source));
    }
    const legacySetting = expected.docs.configsettings?.find((s) => typeof s._id === 'string');
    expect(await db.collection('configsettings').findOne({ _id: legacySetting?._id })).not.toBeNull();

    // The unique index is live: a second user with an existing email is refused, as in production.
    const someone = expected.docs.users?.find((u) => typeof u.email === 'string');
    await expect(
      db.collection('users').insertOne({ _id: new ObjectId(), email: someone?.email }),
    ).rejects.toMatchObject({ code: 11000 });

    // The partial unique index: a second pending request.network pay-in for the same session is refused,
    // the same payment as completed is not.
    const pending = expected.docs.payments?.find(
      (p) => p.status === 'pending' && p.provider === 'request.network' && p.direction === 'in',
    );
    expect(pending).toBeDefined();
    const again = { ...pending, _id: new ObjectId() };
    await expect(db.collection('payments').insertOne(again)).rejects.toMatchObject({ code: 11000 });
    await db.collection('payments').insertOne({ ...again, status: 'completed' });
    const destination = expected.docs.deriveddestinations?.[0];
    await expect(
      db.collection('deriveddestinations').insertOne({ ...destination, _id: new ObjectId(), address: 'x' }),
    ).rejects.toMatchObject({ code: 11000 });
  });
});
