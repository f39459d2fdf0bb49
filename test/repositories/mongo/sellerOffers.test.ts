import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoSellerOfferRepo } from '../../../src/repositories/mongo/sellerOffers.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoSellerOfferRepo: offers and their conditional status changes, each noted for the seam', () => {
  let repo: MongoSellerOfferRepo;
  const mongo = useMongoRepos(({ ctx }) => {
    repo = new MongoSellerOfferRepo(ctx);
  });

  it('creates a pending offer with an exact Decimal128 price', async () => {
    const purchaseRequestId = hexId();
    const sellerId = hexId();
    const { value: offer, changed } = await expectNotedWrites(mongo.db, () =>
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
    const stored = await mongo.db.collection('selleroffers').findOne({ _id: new ObjectId(offer.id) });
    expect(stored?.price.amount?._bsontype).toBe('Decimal128');
    expect(JSON.parse(JSON.stringify(offer))).toMatchObject({ id: offer.id, status: 'pending' });
  });

  it('reads a legacy price held as a double as plain decimal text', async () => {
    const { insertedId } = await mongo.db
      .collection('selleroffers')
      .insertOne({ purchaseRequestId: new ObjectId(), sellerId: new ObjectId(), price: { amount: 1e-7 } });
    const offer = await repo.findById(insertedId.toHexString());
    expect(offer?.price).toEqual({ value: '0.0000001', currency: '' });
  });

  it('changes status only from the status given, and says why when it cannot', async () => {
    const offer = await repo.create({
      purchaseRequestId: hexId(),
      sellerId: hexId(),
      price: { value: '5', currency: 'USDC' },
    });
    const { value: accepted } = await expectNotedWrites(mongo.db, () =>
      repo.changeStatus(offer.id, 'pending', 'accepted'),
    );
    expect(accepted.status).toBe('accepted');
    const refused = await expectNotedWrites(mongo.db, () =>
      repo.changeStatus(offer.id, 'pending', 'withdrawn'),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainRuleError);
    expect(String(refused)).toMatch(/is accepted, not pending/);
    await expect(repo.changeStatus(hexId(), 'pending', 'withdrawn')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a withdrawal racing 10 acceptances: exactly one change wins', async () => {
    const offer = await repo.create({
      purchaseRequestId: hexId(),
      sellerId: hexId(),
      price: { value: '5', currency: 'USDC' },
    });
    const { value: outcomes } = await expectNotedWrites(mongo.db, () =>
      Promise.allSettled([
        repo.changeStatus(offer.id, 'pending', 'withdrawn'),
        ...Array.from({ length: 10 }, () => repo.changeStatus(offer.id, 'pending', 'accepted')),
      ]),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DomainRuleError);
  });

  it('lists a request’s offers oldest first and a seller’s newest first, paged', async () => {
    const purchaseRequestId = hexId();
    const sellerId = hexId();
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(
        await repo.create({ purchaseRequestId, sellerId, price: { value: `${i}.5`, currency: 'USDT' } }),
      );
    await repo.create({ purchaseRequestId: hexId(), sellerId, price: { value: '9', currency: 'USDT' } });
    expect((await repo.listByRequest(purchaseRequestId)).map((o) => o.id)).toEqual(made.map((o) => o.id));
    const bySeller = await repo.listBySeller(sellerId, { limit: 2, offset: 1 });
    expect(bySeller.map((o) => o.id)).toEqual([made[2]?.id, made[1]?.id]);
  });
});
