import { ObjectId } from 'bson';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import type { ISellerOfferRepo, SellerOffer } from '../../../src/repositories/domain/sellerOffers.js';
import { MongoSellerOfferRepo } from '../../../src/repositories/mongo/sellerOffers.js';
import { DrizzlePurchaseRequestRepo } from '../../../src/repositories/pg/purchaseRequests.js';
import { DrizzleSellerOfferRepo } from '../../../src/repositories/pg/sellerOffers.js';
import { withWriteLog, type WriteLog } from '../../../src/repositories/seam/writeLog.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { syncDocuments } from '../../../src/sync/syncDocuments.js';
import { useMongoRepos } from '../../support/mongoRepos.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { roundTrip } from '../../support/roundTrip.js';

/** A pool whose clients record every statement Postgres refused (SQLSTATE), as addresses.test.ts does. */
function recordingPool(url: string): { pool: pg.Pool; failures: string[] } {
  const failures: string[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on('error', () => undefined);
  const record = (error: { code?: string; constraint?: string } | null | undefined) => {
    if (error) failures.push(`${error.code ?? '?'} ${error.constraint ?? ''}`.trim());
  };
  pool.on('connect', (client) => {
    type Query = (...args: unknown[]) => unknown;
    const query = client.query.bind(client) as Query;
    (client as unknown as { query: Query }).query = (...args) => {
      const last = args[args.length - 1];
      if (typeof last === 'function')
        return query(...args.slice(0, -1), (error: { code?: string } | null, result: unknown) => {
          record(error);
          (last as (e: unknown, r: unknown) => void)(error, result);
        });
      const result = query(...args);
      if (result instanceof Promise) result.catch(record);
      return result;
    };
  });
  return { pool, failures };
}

/** Ids replaced by the name of the call that made them (or the fixture's name); stamps only checked. */
function named(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/[0-9a-f]{24}/g, (id) => names.get(id) ?? id);
  if (Array.isArray(value)) return value.map((v) => named(v, names));
  if (value instanceof Date) return value;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'toJSON')
        .map(([k, v]) => [k, k === 'createdAt' || k === 'updatedAt' ? v instanceof Date : named(v, names)]),
    );
  return value;
}

describe('DrizzleSellerOfferRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzleSellerOfferRepo;
  let requests: DrizzlePurchaseRequestRepo;
  let mongoRepo: MongoSellerOfferRepo;
  const mongo = useMongoRepos(({ ctx }) => {
    mongoRepo = new MongoSellerOfferRepo(ctx);
  });

  /** A user in MongoDB, synced to Postgres: the same id in both stores. */
  const newUser = async (): Promise<string> => {
    const _id = new ObjectId();
    await mongo.db.collection('users').insertOne({
      _id,
      email: `${_id.toHexString()}@example.com`,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await syncDocuments(pool, mongo.db, 'users', [_id]);
    return _id.toHexString();
  };

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
  const tableSnapshot = async (): Promise<Map<string, string>> => {
    const { rows } = await pool.query<{ legacy_object_id: string; row: unknown }>(
      `SELECT legacy_object_id, to_jsonb(o) AS row FROM seller_offers o`,
    );
    return new Map(rows.map((r) => [r.legacy_object_id, JSON.stringify(r.row)]));
  };

  /** Runs one call and checks from the table that exactly the offers it changed were noted. */
  const expectNotedRows = async <T>(call: () => Promise<T>): Promise<{ value: T; log: WriteLog }> => {
    const before = await tableSnapshot();
    const { log, outcome } = await withWriteLog(call);
    const after = await tableSnapshot();
    const noted = new Map(
      log.documentsOf('selleroffers').map((d) => [(d.id as ObjectId).toHexString(), d.op]),
    );
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (id) => before.get(id) !== after.get(id),
    );
    expect(changed.length, 'the call changed no row').toBeGreaterThan(0);
    for (const id of changed) expect(noted.get(id), `offer ${id} changed but was not noted`).toBe('upsert');
    expect(log.collections.filter((c) => c !== 'selleroffers')).toEqual([]);
    if (!outcome.ok) throw outcome.error;
    return { value: outcome.value, log };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ pool, failures } = recordingPool(database.url));
    repo = new DrizzleSellerOfferRepo({ pool });
    requests = new DrizzlePurchaseRequestRepo({ pool });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const buyer = await newUser();
    const seller = await newUser();
    const other = await newUser();
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
    const buyer = await newUser();
    const seller = await newUser();
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
    const buyer = await newUser();
    const seller = await newUser();
    const request = await newRequest(buyer);
    const { value: offer, log } = await expectNotedRows(() =>
      repo.create({ purchaseRequestId: request, sellerId: seller, price: { value: '2', currency: 'USDT' } }),
    );
    expect(log.size).toBe(1);
    const { log: one } = await expectNotedRows(() => repo.changeStatus(offer.id, 'pending', 'accepted'));
    expect(one.size).toBe(1);
  });

  it('waits for the forward sync’s document lock before writing', async () => {
    const buyer = await newUser();
    const seller = await newUser();
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
    const buyer = await newUser();
    const seller = await newUser();
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
