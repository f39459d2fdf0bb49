import { ObjectId } from 'bson';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/repositories/domain/common.js';
import type { IShopSettingsRepo, ShopSettings } from '../../../src/repositories/domain/shopSettings.js';
import { MongoShopSettingsRepo } from '../../../src/repositories/mongo/shopSettings.js';
import { DrizzleShopSettingsRepo } from '../../../src/repositories/pg/shopSettings.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { syncDocuments } from '../../../src/sync/syncDocuments.js';
import { useMongoRepos } from '../../support/mongoRepos.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { roundTrip } from '../../support/roundTrip.js';

const COLLECTION = 'shopsettings';

/** A domain object without what each store allocates itself: its id (named instead) and timestamps. */
function comparable(settings: ShopSettings, names: Map<string, string>): Record<string, unknown> {
  const { id, createdAt, updatedAt, ...rest } = settings;
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt!.getTime()).toBeGreaterThanOrEqual(createdAt!.getTime());
  expect(Object.keys(settings.toJSON()).sort()).toEqual(Object.keys(settings).sort());
  return { ref: names.get(id) ?? `unknown ${id}`, ...rest };
}

describe('DrizzleShopSettingsRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let repo: DrizzleShopSettingsRepo;
  let mongoRepo: MongoShopSettingsRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    mongoRepo = new MongoShopSettingsRepo(ctx);
    await ctx.models.ShopSettings.init();
  });

  /** A user in both stores, as a backfill (here: the forward sync) would have left her. */
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

  /** Every row (all columns) by legacy id, as comparable JSON. */
  const tableSnapshot = async (): Promise<Map<string, string>> => {
    const { rows } = await pool.query<{ legacy_object_id: string; row: unknown }>(
      `SELECT legacy_object_id, to_jsonb(t) AS row FROM shop_settings t`,
    );
    return new Map(rows.map((r) => [r.legacy_object_id, JSON.stringify(r.row)]));
  };

  /** Runs one call and checks from the outside that every row it changed was noted, and nothing else. */
  const expectNotedRows = async <T>(call: () => Promise<T>): Promise<T> => {
    const before = await tableSnapshot();
    const { log, outcome } = await withWriteLog(call);
    const after = await tableSnapshot();
    const noted = new Map(log.documentsOf(COLLECTION).map((d) => [(d.id as ObjectId).toHexString(), d.op]));
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (id) => before.get(id) !== after.get(id),
    );
    expect(changed.length, 'the call changed no row').toBeGreaterThan(0);
    for (const id of changed) expect(noted.get(id), `${id} changed but was not noted`).toBe('upsert');
    expect([...noted.keys()].sort()).toEqual(changed.sort());
    expect(log.collections.filter((c) => c !== COLLECTION)).toEqual([]);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
    pool.on('error', () => undefined);
    repo = new DrizzleShopSettingsRepo({ pool });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const seller = await newUser();
    const other = await newUser();
    const script = async (store: IShopSettingsRepo) => {
      const names = new Map<string, string>();
      const out: [string, unknown][] = [];
      const keep = (name: string, settings: ShopSettings | null) => {
        if (!settings) return out.push([name, null]);
        if (!names.has(settings.id)) names.set(settings.id, name);
        return out.push([name, comparable(settings, names)]);
      };
      keep('get before', await store.get(seller));
      keep('first', await store.update(seller, { shopName: 'Ana', isOpen: true, description: '' }));
      keep(
        'second',
        await store.update(seller, {
          shopName: undefined,
          isOpen: false,
          autoAcceptOffers: true,
          payoutAddress: 'bc1q',
          logoUrl: 'https://x/y.png',
          ...({ sellerId: other } as object),
        }),
      );
      keep('empty', await store.update(seller, {}));
      keep('other', await store.update(other, { shopName: 'Bo' }));
      keep('get', await store.get(seller));
      keep('get other', await store.get(other));
      keep('get unknown', await store.get(new ObjectId().toHexString()));
      return out;
    };
    // Each store runs the script on sellers with no settings: MongoDB's first, then Postgres' own.
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    expect(fromPostgres).toContainEqual([
      'get',
      expect.objectContaining({
        ref: 'first',
        sellerId: seller,
        shopName: 'Ana',
        isOpen: false,
        autoAcceptOffers: true,
        description: '',
      }),
    ]);
  });

  it('notes the document it creates or changes, refuses an unknown seller, round trips exactly', async () => {
    const seller = await newUser();
    const created = await expectNotedRows(() => repo.update(seller, { shopName: 'One' }));
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    const changed = await expectNotedRows(() => repo.update(seller, { isOpen: true }));
    expect(changed).toMatchObject({ id: created.id, shopName: 'One', isOpen: true, sellerId: seller });
    const { rows } = await pool.query(
      `SELECT created_at, updated_at, source_updated_at FROM shop_settings WHERE legacy_object_id = $1`,
      [created.id],
    );
    expect(rows).toEqual([
      { created_at: created.createdAt, updated_at: changed.updatedAt, source_updated_at: changed.updatedAt },
    ]);
    const refused = await withWriteLog(() => repo.update(new ObjectId().toHexString(), { shopName: 'x' }));
    expect(refused.outcome.ok).toBe(false);
    expect((refused.outcome as { error: unknown }).error).toBeInstanceOf(NotFoundError);
    expect(refused.log.size).toBe(0);
    const { problems } = await roundTrip(pool, COLLECTION);
    expect(problems).toEqual([]);
  });

  it('20 concurrent first updates of one seller: one document, no statement fails', async () => {
    const seller = await newUser();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => repo.update(seller, { shopName: `s${i}` })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<ShopSettings>).value.id));
    expect(ids.size).toBe(1);
  });

  it('waits for the forward sync’s document lock', async () => {
    const seller = await newUser();
    const settings = await repo.update(seller, { shopName: 'Locked' });
    const sync = await pool.connect();
    try {
      await sync.query('BEGIN');
      await lockDocuments(sync, COLLECTION, [new ObjectId(settings.id)]);
      let done = false;
      const running = repo.update(seller, { shopName: 'Later' }).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await sync.query('COMMIT');
      await running;
    } finally {
      sync.release();
    }
    expect((await repo.get(seller))?.shopName).toBe('Later');
  });
});
