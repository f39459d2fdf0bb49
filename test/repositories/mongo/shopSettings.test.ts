import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoContext } from '../../../src/repositories/mongo/context.js';
import { MongoShopSettingsRepo } from '../../../src/repositories/mongo/shopSettings.js';
import { startTestMongo, type TestMongo } from '../../support/mongo.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoShopSettingsRepo: one shop per seller, each write noted for the seam', () => {
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let db: Db;
  let repo: MongoShopSettingsRepo;

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    db = client.db(mongo.dbName);
    const ctx = mongoContext(connection);
    await ctx.models.ShopSettings.init(); // the unique sellerId index
    repo = new MongoShopSettingsRepo(ctx);
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('the first update creates the settings, later ones change only the fields given', async () => {
    const sellerId = new ObjectId().toHexString();
    expect(await repo.get(sellerId)).toBeNull();
    const { value: created, changed } = await expectNotedWrites(db, () =>
      repo.update(sellerId, { shopName: 'Ana Store', isOpen: true }),
    );
    expect(changed).toHaveLength(1);
    expect(created).toMatchObject({ sellerId, shopName: 'Ana Store', isOpen: true });
    const raw = await db.collection('shopsettings').findOne({ _id: new ObjectId(created.id) });
    expect((raw?.sellerId as { _bsontype?: string } | undefined)?._bsontype).toBe('ObjectId');

    const { value: updated } = await expectNotedWrites(db, () =>
      repo.update(sellerId, { isOpen: false, payoutAddress: '0xabc', shopName: undefined }),
    );
    expect(updated).toMatchObject({
      id: created.id,
      sellerId,
      shopName: 'Ana Store',
      isOpen: false,
      payoutAddress: '0xabc',
    });
    expect(await repo.get(sellerId)).toMatchObject({ id: created.id, isOpen: false });
  });

  it('never moves settings to another seller', async () => {
    const sellerId = new ObjectId().toHexString();
    const other = new ObjectId().toHexString();
    await expectNotedWrites(db, () =>
      repo.update(sellerId, { ...({ sellerId: other } as object), shopName: 'Mine' }),
    );
    expect((await repo.get(sellerId))?.shopName).toBe('Mine');
    expect(await repo.get(other)).toBeNull();
  });

  it('concurrent first updates for one seller leave one document, every write noted', async () => {
    const sellerId = new ObjectId().toHexString();
    const { value } = await expectNotedWrites(db, () =>
      Promise.all(Array.from({ length: 10 }, (_, i) => repo.update(sellerId, { description: `v${i}` }))),
    );
    expect(new Set(value.map((s) => s.id)).size).toBe(1);
    expect(await db.collection('shopsettings').countDocuments({ sellerId: new ObjectId(sellerId) })).toBe(1);
  });
});
