import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import type { ISellerOfferRepo, SellerOffer } from '../../../src/repositories/domain/sellerOffers.js';
import { MongoSellerOfferRepo } from '../../../src/repositories/mongo/sellerOffers.js';
import { DrizzlePurchaseRequestRepo } from '../../../src/repositories/pg/purchaseRequests.js';
import { DrizzleSellerOfferRepo } from '../../../src/repositories/pg/sellerOffers.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { syncDocuments } from '../../../src/sync/syncDocuments.js';
import {
  usePgRepos,
  namedStamped as named,
  expectNotedRows as expectNoted,
  snapshotByLegacyId,
} from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

describe('DrizzleSellerOfferRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzleSellerOfferRepo;
  let requests: DrizzlePurchaseRequestRepo;
  let mongoRepo: MongoSellerOfferRepo;
  const mongo = usePgRepos(({ ctx, pool: opened, failures: refused }) => {
    pool = opened;
    failures = refused;
    mongoRepo = new MongoSellerOfferRepo(ctx);
    repo = new DrizzleSellerOfferRepo({ pool });
    requests = new DrizzlePurchaseRequestRepo({ pool });
  });

  /** A purchase request in MongoDB, synced to Postgres: the same id in both stores. */
  const newRequest = async (buyerId: string): Promise<string> => {
    const _id = new ObjectId();
    await mongo.db.collection('purchaserequests').insertOne({
      _id,
      buyerId: new ObjectId(buyerId),
      status: 'open',
      offers: [],
      preferredSellerIds: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await syncDocuments(pool, mongo.db, 'purchaserequests', [_id]);
    return _id.toHexString();
  };

  /** Every seller_offers row by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(pool, `SELECT legacy_object_id, to_jsonb(o) AS row FROM seller_offers o`);

  /** Runs one call and checks from the table that exactly the offers it changed were noted. */
  const expectNotedRows = <T>(call: () => Promise<T>) =>
    expectNoted('selleroffers', tableSnapshot, call, { exact: false, label: 'offer ' });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const other = await mongo.newUser();
    const request = await newRequest(buyer);
    const second = await newRequest(buyer);
    const script = async (store: ISellerOfferRepo) => {
      const names = new Map<string, string>([
        [buyer, 'buyer'],
        [seller, 'seller'],
        [other, 'other'],
        [request, 'request'],
        [second, 'second'],
      ]);
      const out: [string, unknown][] = [];
      const keep = (name: string, value: SellerOffer) => {
        names.set(value.id, name);
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
      // Prices without trailing zeros: price_amount is numeric(38,18), which keeps no scale of its own.
      const a = keep(
        'a',
        await store.create({
          purchaseRequestId: request,
          sellerId: seller,
          price: { value: '100.5', currency: 'USDT' },
          message: 'hello',
          deliveryDays: 3,
        }),
      );
      const b = keep(
        'b',
        await store.create({
          purchaseRequestId: request,
          sellerId: other,
          price: { value: '0.000000000000000001', currency: 'whatever' },
        }),
      );
      keep(
        'c',
        await store.create({
          purchaseRequestId: second,
          sellerId: seller,
          price: { value: '7', currency: 'USDT' },
        }),
      );
      await attempt('a pending→accepted', () => store.changeStatus(a.id, 'pending', 'accepted'));
      await attempt('a pending→withdrawn (lost)', () => store.changeStatus(a.id, 'pending', 'withdrawn'));
      await attempt('b pending→rejected', () => store.changeStatus(b.id, 'pending', 'rejected'));
      await attempt('a.findById', () => store.findById(a.id));
      await attempt('listByRequest', () => store.listByRequest(request));
      await attempt('listByRequest second', () => store.listByRequest(second));
      await attempt('listBySeller', () => store.listBySeller(seller));
      await attempt('listBySeller page', () => store.listBySeller(seller, { limit: 1, offset: 1 }));
      await attempt('listBySeller other', () => store.listBySeller(other));
      const unknown = new ObjectId().toHexString();
      await attempt('unknown.findById', () => store.findById(unknown));
      await attempt('unknown.changeStatus', () => store.changeStatus(unknown, 'pending', 'accepted'));
      await attempt('unknown.listByRequest', () => store.listByRequest(unknown));
      await attempt('unknown.listBySeller', () => store.listBySeller(unknown));
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    expect(fromPostgres).toContainEqual(['a pending→withdrawn (lost)', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['unknown.changeStatus', 'NotFoundError']);
    expect(fromPostgres.find(([name]) => name === 'a.findById')![1]).toMatchObject({
      id: 'a',
      purchaseRequestId: 'request',
      sellerId: 'seller',
      price: { value: '100.5', currency: 'USDT' },
      status: 'accepted',
      deliveryDays: 3,
    });
    expect(fromPostgres.find(([name]) => name === 'b')![1]).toMatchObject({
      price: { value: '0.000000000000000001', currency: 'whatever' },
    });
    expect(failures).toEqual([]);
  });

  it('of 20 concurrent status changes from pending exactly one wins', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const request = await newRequest(buyer);
    const offer = await repo.create({
      purchaseRequestId: request,
      sellerId: seller,
      price: { value: '1', currency: 'USDT' },
    });
    failures.length = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        repo.changeStatus(offer.id, 'pending', i % 2 ? 'accepted' : 'withdrawn'),
      ),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<SellerOffer> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DomainRuleError);
    expect((await repo.findById(offer.id))?.status).toBe(won[0]!.value.status);
    expect(failures).toEqual([]);
  });

  it('notes the one offer every write changes, and nothing else', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const request = await newRequest(buyer);
    const { value: offer, log } = await expectNotedRows(() =>
      repo.create({ purchaseRequestId: request, sellerId: seller, price: { value: '2', currency: 'USDT' } }),
    );
    expect(log.size).toBe(1);
    const { log: one } = await expectNotedRows(() => repo.changeStatus(offer.id, 'pending', 'accepted'));
    expect(one.size).toBe(1);
  });

  it('waits for the forward sync’s document lock before writing', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const request = await newRequest(buyer);
    const offer = await repo.create({
      purchaseRequestId: request,
      sellerId: seller,
      price: { value: '3', currency: 'USDT' },
    });
    const sync = await pool.connect();
    try {
      await sync.query('BEGIN');
      await lockDocuments(sync, 'selleroffers', [new ObjectId(offer.id)]);
      let done = false;
      const running = repo.changeStatus(offer.id, 'pending', 'accepted').then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done, 'the write did not wait for the lock').toBe(false);
      await sync.query('COMMIT');
      await running;
      expect(done).toBe(true);
    } finally {
      sync.release();
    }
  });

  it('every offer Postgres wrote, mapped back (unmap) and forward (map), gives its rows again', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const request = await requests.create({ buyerId: buyer });
    const offer = await repo.create({
      purchaseRequestId: request.id,
      sellerId: seller,
      price: { value: '12.345', currency: 'USDT' },
      message: 'm',
    });
    await requests.addOffer(request.id, offer.id);
    await repo.changeStatus(offer.id, 'pending', 'withdrawn');
    for (const collection of ['selleroffers', 'purchaserequests']) {
      const { problems, documents } = await roundTrip(pool, collection);
      expect(problems).toEqual([]);
      expect(documents.size).toBeGreaterThan(0);
    }
  });
});
