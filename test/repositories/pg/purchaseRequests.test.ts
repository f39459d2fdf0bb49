import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import type {
  IPurchaseRequestRepo,
  PurchaseRequest,
} from '../../../src/repositories/domain/purchaseRequests.js';
import type { ISellerOfferRepo } from '../../../src/repositories/domain/sellerOffers.js';
import { MongoPurchaseRequestRepo } from '../../../src/repositories/mongo/purchaseRequests.js';
import { MongoSellerOfferRepo } from '../../../src/repositories/mongo/sellerOffers.js';
import { DrizzlePurchaseRequestRepo } from '../../../src/repositories/pg/purchaseRequests.js';
import { DrizzleSellerOfferRepo } from '../../../src/repositories/pg/sellerOffers.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import {
  usePgRepos,
  namedStamped as named,
  expectNotedRows as expectNoted,
  snapshotByLegacyId,
} from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

describe('DrizzlePurchaseRequestRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzlePurchaseRequestRepo;
  let offers: DrizzleSellerOfferRepo;
  let mongoRepo: MongoPurchaseRequestRepo;
  let mongoOffers: MongoSellerOfferRepo;
  const mongo = usePgRepos(({ ctx, pool: opened, failures: refused }) => {
    pool = opened;
    failures = refused;
    mongoRepo = new MongoPurchaseRequestRepo(ctx);
    mongoOffers = new MongoSellerOfferRepo(ctx);
    repo = new DrizzlePurchaseRequestRepo({ pool });
    offers = new DrizzleSellerOfferRepo({ pool });
  });

  /** Every purchase request row with its child and junction rows, by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(
      pool,
      `SELECT r.legacy_object_id, jsonb_build_object(
                'row', to_jsonb(r),
                'sellers', (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.ordinal) FROM pr_preferred_sellers c WHERE c.purchase_request_id = r.id),
                'delivery', (SELECT jsonb_agg(to_jsonb(c)) FROM pr_delivery_info c WHERE c.purchase_request_id = r.id),
                'service', (SELECT jsonb_agg(to_jsonb(c)) FROM pr_service_info c WHERE c.purchase_request_id = r.id),
                'offers', (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.seller_offer_id) FROM purchase_request_offers c WHERE c.purchase_request_id = r.id)
              ) AS row
         FROM purchase_requests r`,
    );

  /** Runs one call and checks from the tables that exactly the requests it changed were noted. */
  const expectNotedRows = <T>(call: () => Promise<T>) =>
    expectNoted('purchaserequests', tableSnapshot, call, { exact: false, label: 'request ' });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const other = await mongo.newUser();
    const t1 = new Date('2026-02-03T04:05:06.789Z');
    const future = new Date(Date.now() + 86_400_000);
    const past = new Date(Date.now() - 86_400_000);
    const script = async (store: IPurchaseRequestRepo, offerStore: ISellerOfferRepo) => {
      const names = new Map<string, string>([
        [buyer, 'buyer'],
        [seller, 'seller'],
        [other, 'other'],
      ]);
      const out: [string, unknown][] = [];
      const keep = (name: string, value: PurchaseRequest | PurchaseRequest[] | null) => {
        if (value && !Array.isArray(value) && !names.has(value.id)) names.set(value.id, name);
        out.push([name, named(value, names)]);
        return value;
      };
      const attempt = async (name: string, call: () => Promise<unknown>) => {
        try {
          out.push([name, named(await call(), names)]);
        } catch (error) {
          out.push([name, (error as Error).name]);
        }
      };
      // Not '120.50': budget_amount is numeric(38,18), which keeps no scale of its own.
      const full = keep(
        'full',
        await store.create({
          buyerId: buyer,
          title: 'A lamp',
          description: 'brass',
          quantity: 2,
          budget: { value: '120.5', currency: 'USDT' },
          preferredSellerIds: [seller, other],
          deliveryInfo: { method: 'shipping', carrier: 'DHL', shippedAt: t1 },
          serviceInfo: { durationMinutes: 30, remote: true },
          expiresAt: future,
        }),
      ) as PurchaseRequest;
      const bare = keep('bare', await store.create({ buyerId: buyer, status: 'draft' })) as PurchaseRequest;
      keep('expired', await store.create({ buyerId: other, title: 'old', expiresAt: past }));
      const offer = async (name: string, requestId: string, value: string) => {
        const made = await offerStore.create({
          purchaseRequestId: requestId,
          sellerId: seller,
          price: { value, currency: 'USDT' },
        });
        names.set(made.id, name);
        return made.id;
      };
      const o1 = await offer('o1', full.id, '100.00');
      const o2 = await offer('o2', full.id, '99.999999999999999999');
      const o3 = await offer('o3', bare.id, '1');
      await attempt('bare.addOffer (draft)', () => store.addOffer(bare.id, o3));
      await attempt('full.addOffer o1', () => store.addOffer(full.id, o1));
      await attempt('full.addOffer o1 again', () => store.addOffer(full.id, o1));
      await attempt('full.addOffer o2', () => store.addOffer(full.id, o2));
      await attempt('full.accept o3 (not its offer)', () => store.acceptOffer(full.id, o3));
      await attempt('bare.accept o3 (draft)', () => store.acceptOffer(bare.id, o3));
      await attempt('listOpen', async () =>
        (await store.listOpen({ limit: 1000 })).filter((r) => names.has(r.id)),
      );
      await attempt('full.accept o2', () => store.acceptOffer(full.id, o2));
      await attempt('full.accept o1 after', () => store.acceptOffer(full.id, o1));
      await attempt('full.addOffer after accept', () => store.addOffer(full.id, o3));
      await attempt('bare draft→open', () => store.changeStatus(bare.id, 'draft', 'open'));
      await attempt('bare draft→open again', () => store.changeStatus(bare.id, 'draft', 'open'));
      await attempt('bare.addOffer o3', () => store.addOffer(bare.id, o3));
      await attempt('full in_progress→awaiting_delivery', () =>
        store.changeStatus(full.id, 'in_progress', 'awaiting_delivery'),
      );
      await attempt('full.setDeliveryInfo', () =>
        store.setDeliveryInfo(full.id, { trackingNumber: 'TR1', carrier: undefined, deliveredAt: t1 }),
      );
      await attempt('full.setDeliveryInfo nothing', () => store.setDeliveryInfo(full.id, {}));
      await attempt('bare.setDeliveryInfo', () =>
        store.setDeliveryInfo(bare.id, { method: 'pickup', notes: 'door' }),
      );
      await attempt('full.setServiceInfo', () =>
        store.setServiceInfo(full.id, { location: 'Lisbon', scheduledAt: t1 }),
      );
      await attempt('bare.setServiceInfo', () => store.setServiceInfo(bare.id, { remote: false }));
      await attempt('full.findById', () => store.findById(full.id));
      await attempt('bare.findById', () => store.findById(bare.id));
      await attempt('listByBuyer', () => store.listByBuyer(buyer));
      await attempt('listByBuyer page', () => store.listByBuyer(buyer, { limit: 1, offset: 1 }));
      await attempt('listByBuyer other', () => store.listByBuyer(other));
      await attempt('listOpen after', async () =>
        (await store.listOpen({ limit: 1000 })).filter((r) => names.has(r.id)),
      );
      const unknown = new ObjectId().toHexString();
      await attempt('unknown.findById', () => store.findById(unknown));
      await attempt('unknown.addOffer', () => store.addOffer(unknown, o1));
      await attempt('unknown.acceptOffer', () => store.acceptOffer(unknown, o1));
      await attempt('unknown.changeStatus', () => store.changeStatus(unknown, 'open', 'cancelled'));
      await attempt('unknown.setDeliveryInfo', () => store.setDeliveryInfo(unknown, { notes: 'x' }));
      await attempt('unknown.setServiceInfo', () => store.setServiceInfo(unknown, { remote: true }));
      await attempt('unknown.listByBuyer', () => store.listByBuyer(unknown));
      return out;
    };
    const fromMongo = await script(mongoRepo, mongoOffers);
    const fromPostgres = await script(repo, offers);
    expect(fromPostgres).toStrictEqual(fromMongo);
    // Spot checks, so an equal pair of wrong answers cannot pass.
    expect(fromPostgres).toContainEqual(['bare.addOffer (draft)', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['full.accept o3 (not its offer)', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['full.accept o1 after', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['unknown.acceptOffer', 'NotFoundError']);
    const found = fromPostgres.find(([name]) => name === 'full.findById')![1];
    expect(found).toMatchObject({
      id: 'full',
      status: 'awaiting_delivery',
      offers: ['o1', 'o2'],
      acceptedOfferId: 'o2',
      budget: { value: '120.5', currency: 'USDT' },
      preferredSellerIds: ['seller', 'other'],
      deliveryInfo: {
        method: 'shipping',
        carrier: 'DHL',
        shippedAt: t1,
        trackingNumber: 'TR1',
        deliveredAt: t1,
      },
      serviceInfo: { durationMinutes: 30, remote: true, location: 'Lisbon', scheduledAt: t1 },
    });
    expect(failures).toEqual([]);
  });

  it('a null clears a delivery or service field (absent afterwards: Postgres holds no null apart)', async () => {
    // MongoDB keeps `notes: null` where Postgres reads the field back absent: the child columns cannot
    // tell an explicit null from a missing field, so this case is outside the strict transcript.
    const buyer = await mongo.newUser();
    const request = await repo.create({
      buyerId: buyer,
      deliveryInfo: { method: 'pickup', notes: 'door' },
      serviceInfo: { remote: true, location: 'here' },
    });
    await repo.setDeliveryInfo(request.id, { notes: null });
    const after = await repo.setServiceInfo(request.id, { remote: null });
    expect(after.deliveryInfo).toEqual({ method: 'pickup' });
    expect(after.serviceInfo).toEqual({ location: 'here' });
    expect(failures).toEqual([]);
  });

  it('of 20 concurrent acceptOffer calls on one request exactly one wins', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const request = await repo.create({ buyerId: buyer, title: 'race' });
    const made: string[] = [];
    for (let i = 0; i < 20; i++) {
      const offer = await offers.create({
        purchaseRequestId: request.id,
        sellerId: seller,
        price: { value: `${i + 1}.00`, currency: 'USDT' },
      });
      await repo.addOffer(request.id, offer.id);
      made.push(offer.id);
    }
    failures.length = 0;
    const results = await Promise.allSettled(made.map((offerId) => repo.acceptOffer(request.id, offerId)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const one of lost) expect(one.reason).toBeInstanceOf(DomainRuleError);
    const winner = (won[0] as PromiseFulfilledResult<PurchaseRequest>).value;
    const after = (await repo.findById(request.id))!;
    expect(after.status).toBe('in_progress');
    expect(after.acceptedOfferId).toBe(winner.acceptedOfferId);
    expect(made).toContain(after.acceptedOfferId);
    expect(after.offers).toEqual([...made].sort());
    expect(failures).toEqual([]);
  });

  it('notes the one request every write changes, and nothing else', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const { value: request, log } = await expectNotedRows(() =>
      repo.create({ buyerId: buyer, preferredSellerIds: [seller] }),
    );
    expect(log.size).toBe(1);
    const offer = await offers.create({
      purchaseRequestId: request.id,
      sellerId: seller,
      price: { value: '5', currency: 'USDT' },
    });
    const calls: (() => Promise<unknown>)[] = [
      () => repo.addOffer(request.id, offer.id),
      () => repo.acceptOffer(request.id, offer.id),
      () => repo.changeStatus(request.id, 'in_progress', 'awaiting_delivery'),
      () => repo.setDeliveryInfo(request.id, { carrier: 'UPS' }),
      () => repo.setServiceInfo(request.id, { remote: true }),
    ];
    for (const call of calls) {
      const { log: one } = await expectNotedRows(call);
      expect(one.size).toBe(1);
    }
  });

  it('waits for the forward sync’s document lock before writing', async () => {
    const buyer = await mongo.newUser();
    const request = await repo.create({ buyerId: buyer, status: 'draft' });
    const sync = await pool.connect();
    try {
      await sync.query('BEGIN');
      await lockDocuments(sync, 'purchaserequests', [new ObjectId(request.id)]);
      let done = false;
      const running = repo.changeStatus(request.id, 'draft', 'open').then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done, 'the write did not wait for the lock').toBe(false);
      await sync.query('COMMIT');
      await running;
      expect(done).toBe(true);
    } finally {
      sync.release();
    }
  });

  it('every request Postgres wrote, mapped back (unmap) and forward (map), gives its rows again', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const request = await repo.create({
      buyerId: buyer,
      budget: { value: '0.000000000000000001', currency: 'USDT' },
      preferredSellerIds: [seller],
      deliveryInfo: { notes: 'n' },
    });
    const offer = await offers.create({
      purchaseRequestId: request.id,
      sellerId: seller,
      price: { value: '7.10', currency: 'USDT' },
    });
    await repo.addOffer(request.id, offer.id);
    await repo.acceptOffer(request.id, offer.id);
    await repo.setServiceInfo(request.id, { location: 'x' });
    for (const collection of ['purchaserequests', 'selleroffers']) {
      const { problems, documents } = await roundTrip(pool, collection);
      expect(problems).toEqual([]);
      expect(documents.size).toBeGreaterThan(0);
    }
  });
});
