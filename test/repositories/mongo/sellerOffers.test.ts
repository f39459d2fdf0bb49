import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoContext } from '../../../src/repositories/mongo/context.js';
import { MongoSellerOfferRepo } from '../../../src/repositories/mongo/sellerOffers.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { startTestMongo, type TestMongo } from '../../support/mongo.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

const hex = () => new ObjectId().toHexString();

describe('MongoSellerOfferRepo: offers and their conditional status changes, each noted for the seam', () => {
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let db: Db;
  let repo: MongoSellerOfferRepo;

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    db = client.db(mongo.dbName);
    repo = new MongoSellerOfferRepo(mongoContext(connection));
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('creates a pending offer with an exact Decimal128 price', async () => {
    const purchaseRequestId = hex();
    const sellerId = hex();
    const { value: offer, changed } = await expectNotedWrites(db, () =>
      repo.create({
        purchaseRequestId,
        sellerId,
        price: { value: '1234.567890123456789', currency: 'USDT' },
        message: 'can ship tomorrow',
        deliveryDays: 2,
      }),
    );
    expect(changed).toEqual([{ collection: 'selleroffers', id: `o:${offer.id}` }]);
    expect(offer).toMatchObject({
      purchaseRequestId,
      sellerId,
      status: 'pending',
      price: { value: '1234.567890123456789', currency: 'USDT' },
    });
    const stored = await db.collection('selleroffers').findOne({ _id: new ObjectId(offer.id) });
    expect(stored?.price.amount?._bsontype).toBe('Decimal128');
    expect(JSON.parse(JSON.stringify(offer))).toMatchObject({ id: offer.id, status: 'pending' });
  });

  it('reads a legacy price held as a double as plain decimal text', async () => {
    const { insertedId } = await db
      .collection('selleroffers')
      .insertOne({ purchaseRequestId: new ObjectId(), sellerId: new ObjectId(), price: { amount: 1e-7 } });
    const offer = await repo.findById(insertedId.toHexString());
    expect(offer?.price).toEqual({ value: '0.0000001', currency: '' });
  });

  it('changes status only from the status given, and says why when it cannot', async () => {
    const offer = await repo.create({
      purchaseRequestId: hex(),
      sellerId: hex(),
      price: { value: '5', currency: 'USDC' },
    });
    const { value: accepted } = await expectNotedWrites(db, () =>
      repo.changeStatus(offer.id, 'pending', 'accepted'),
    );
    expect(accepted.status).toBe('accepted');
    const refused = await expectNotedWrites(db, () =>
      repo.changeStatus(offer.id, 'pending', 'withdrawn'),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainRuleError);
    expect(String(refused)).toMatch(/is accepted, not pending/);
    await expect(repo.changeStatus(hex(), 'pending', 'withdrawn')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a withdrawal racing 10 acceptances: exactly one change wins', async () => {
    const offer = await repo.create({
      purchaseRequestId: hex(),
      sellerId: hex(),
      price: { value: '5', currency: 'USDC' },
    });
    const { value: outcomes } = await expectNotedWrites(db, () =>
      Promise.allSettled([
        repo.changeStatus(offer.id, 'pending', 'withdrawn'),
        ...Array.from({ length: 10 }, () => repo.changeStatus(offer.id, 'pending', 'accepted')),
      ]),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DomainRuleError);
  });

  it('lists a request’s offers oldest first and a seller’s newest first, paged', async () => {
    const purchaseRequestId = hex();
    const sellerId = hex();
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(
        await repo.create({ purchaseRequestId, sellerId, price: { value: `${i}.5`, currency: 'USDT' } }),
      );
    await repo.create({ purchaseRequestId: hex(), sellerId, price: { value: '9', currency: 'USDT' } });
    expect((await repo.listByRequest(purchaseRequestId)).map((o) => o.id)).toEqual(made.map((o) => o.id));
    const bySeller = await repo.listBySeller(sellerId, { limit: 2, offset: 1 });
    expect(bySeller.map((o) => o.id)).toEqual([made[2]?.id, made[1]?.id]);
  });
});
