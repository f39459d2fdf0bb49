import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoPurchaseRequestRepo } from '../../../src/repositories/mongo/purchaseRequests.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoPurchaseRequestRepo: requests, their offers and status, each write noted for the seam', () => {
  let repo: MongoPurchaseRequestRepo;
  const mongo = useMongoRepos(({ ctx }) => {
    repo = new MongoPurchaseRequestRepo(ctx);
  });

  const newRequest = (buyerId = hexId()) =>
    expectNotedWrites(mongo.db, () =>
      repo.create({
        buyerId,
        title: 'A used bike',
        quantity: 1,
        budget: { value: '250.50', currency: 'EUR' },
      }),
    ).then(({ value }) => value);

  it('creates an open request with an exact budget and no offers', async () => {
    const buyerId = hexId();
    const { value: request, changed } = await expectNotedWrites(mongo.db, () =>
      repo.create({ buyerId, title: 'Bike', budget: { value: '0.000000000000000001', currency: 'USDT' } }),
    );
    expect(changed).toHaveLength(1);
    expect(request).toMatchObject({
      buyerId,
      status: 'open',
      offers: [],
      preferredSellerIds: [],
      budget: { value: '0.000000000000000001', currency: 'USDT' },
    });
    expect(request).not.toHaveProperty('__v');
    expect(await repo.findById(request.id)).toMatchObject({ id: request.id, title: 'Bike' });
  });

  it('addOffer appends an offer once, and only while the request is open', async () => {
    const request = await newRequest();
    const [a, b] = [hexId(), hexId()];
    await expectNotedWrites(mongo.db, () => repo.addOffer(request.id, a));
    await expectNotedWrites(mongo.db, () => repo.addOffer(request.id, a)); // a retry
    const { value: withTwo } = await expectNotedWrites(mongo.db, () => repo.addOffer(request.id, b));
    expect(withTwo.offers).toEqual([a, b]);

    await repo.changeStatus(request.id, 'open', 'cancelled');
    await expect(
      expectNotedWrites(mongo.db, () => repo.addOffer(request.id, hexId())),
    ).rejects.toBeInstanceOf(DomainRuleError);
    await expect(repo.addOffer(hexId(), a)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('acceptOffer sets the offer and in_progress together, once, and only for a linked offer', async () => {
    const request = await newRequest();
    const [a, b] = [hexId(), hexId()];
    await repo.addOffer(request.id, a);
    await repo.addOffer(request.id, b);

    const stranger = await expectNotedWrites(mongo.db, () => repo.acceptOffer(request.id, hexId())).catch(
      (e: unknown) => e,
    );
    expect(stranger).toBeInstanceOf(DomainRuleError);
    expect(String(stranger)).toMatch(/not one of its offers/);

    const { value: accepted, changed } = await expectNotedWrites(mongo.db, () =>
      repo.acceptOffer(request.id, a),
    );
    expect(changed).toHaveLength(1);
    expect(accepted).toMatchObject({ status: 'in_progress', acceptedOfferId: a });

    const again = await expectNotedWrites(mongo.db, () => repo.acceptOffer(request.id, b)).catch(
      (e: unknown) => e,
    );
    expect(again).toBeInstanceOf(DomainRuleError);
    expect(String(again)).toMatch(/is in_progress/);
    await expect(repo.acceptOffer(hexId(), a)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('20 concurrent acceptOffer calls with different offers: exactly one wins, the others are refused', async () => {
    const request = await newRequest();
    const offers = Array.from({ length: 20 }, hexId);
    for (const offer of offers) await repo.addOffer(request.id, offer);

    const { value: outcomes, changed } = await expectNotedWrites(mongo.db, () =>
      Promise.allSettled(offers.map((offer) => repo.acceptOffer(request.id, offer))),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DomainRuleError);
    expect(changed).toHaveLength(1);

    const winner = won[0]?.status === 'fulfilled' ? won[0].value.acceptedOfferId : undefined;
    expect(offers).toContain(winner);
    expect(await repo.findById(request.id)).toMatchObject({ status: 'in_progress', acceptedOfferId: winner });
  });

  it('changeStatus moves only from the status given', async () => {
    const request = await newRequest();
    const { value: moved } = await expectNotedWrites(mongo.db, () =>
      repo.changeStatus(request.id, 'open', 'expired'),
    );
    expect(moved.status).toBe('expired');
    const refused = await expectNotedWrites(mongo.db, () =>
      repo.changeStatus(request.id, 'open', 'cancelled'),
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainRuleError);
    expect(String(refused)).toMatch(/is expired: not open/);
    await expect(repo.changeStatus(hexId(), 'open', 'cancelled')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('setDeliveryInfo and setServiceInfo set the fields given and keep the others', async () => {
    const request = await newRequest();
    const addressId = hexId();
    await expectNotedWrites(mongo.db, () =>
      repo.setDeliveryInfo(request.id, { method: 'shipping', addressId, carrier: 'DHL' }),
    );
    const shippedAt = new Date('2026-01-02T03:04:05.678Z');
    const { value: shipped } = await expectNotedWrites(mongo.db, () =>
      repo.setDeliveryInfo(request.id, { trackingNumber: 'JD0001', shippedAt, carrier: null }),
    );
    expect(shipped.deliveryInfo).toEqual({
      method: 'shipping',
      addressId,
      carrier: null,
      trackingNumber: 'JD0001',
      shippedAt,
    });
    const stored = await mongo.db.collection('purchaserequests').findOne({ _id: new ObjectId(request.id) });
    expect(stored?.deliveryInfo.addressId?._bsontype).toBe('ObjectId');

    await expectNotedWrites(mongo.db, () =>
      repo.setServiceInfo(request.id, { durationMinutes: 90, remote: true }),
    );
    const { value: scheduled } = await expectNotedWrites(mongo.db, () =>
      repo.setServiceInfo(request.id, { location: 'Porto' }),
    );
    expect(scheduled.serviceInfo).toEqual({ durationMinutes: 90, remote: true, location: 'Porto' });
    await expect(repo.setServiceInfo(hexId(), { remote: false })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists a buyer’s requests newest first, paged, and the open ones not past their expiry', async () => {
    const buyerId = hexId();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await newRequest(buyerId));
    expect((await repo.listByBuyer(buyerId)).map((r) => r.id)).toEqual(made.map((r) => r.id).reverse());
    expect((await repo.listByBuyer(buyerId, { limit: 1, offset: 1 })).map((r) => r.id)).toEqual([
      made[1]?.id,
    ]);

    await repo.changeStatus(made[0]?.id ?? '', 'open', 'cancelled');
    const overdue = await repo.create({ buyerId, expiresAt: new Date(Date.now() - 60_000) });
    const later = await repo.create({ buyerId, expiresAt: new Date(Date.now() + 3_600_000) });
    const draft = await repo.create({ buyerId, status: 'draft' });
    const open = new Set((await repo.listOpen({ limit: 1000 })).map((r) => r.id));
    expect(open.has(later.id) && open.has(made[1]?.id ?? '') && open.has(made[2]?.id ?? '')).toBe(true);
    expect([made[0]?.id, overdue.id, draft.id].some((id) => open.has(id ?? ''))).toBe(false);
  });
});
