import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/repositories/domain/common.js';
import type { IShopSettingsRepo, ShopSettings } from '../../../src/repositories/domain/shopSettings.js';
import { MongoShopSettingsRepo } from '../../../src/repositories/mongo/shopSettings.js';
import { DrizzleShopSettingsRepo } from '../../../src/repositories/pg/shopSettings.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { usePgRepos, expectNotedRows as expectNoted, snapshotByLegacyId } from '../../support/pgRepos.js';
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
  let pool: pg.Pool;
  let repo: DrizzleShopSettingsRepo;
  let mongoRepo: MongoShopSettingsRepo;
  const mongo = usePgRepos(async ({ ctx, pool: opened }) => {
    pool = opened;
    mongoRepo = new MongoShopSettingsRepo(ctx);
    await ctx.models.ShopSettings.init();
    repo = new DrizzleShopSettingsRepo({ pool });
  });

  /** Every row (all columns) by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(pool, `SELECT legacy_object_id, to_jsonb(t) AS row FROM shop_settings t`);

  /** Runs one call and checks from the outside that every row it changed was noted, and nothing else. */
  const expectNotedRows = async <T>(call: () => Promise<T>): Promise<T> =>
    (await expectNoted(COLLECTION, tableSnapshot, call)).value;

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const seller = await mongo.newUser();
    const other = await mongo.newUser();
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
    const seller = await mongo.newUser();
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
    const seller = await mongo.newUser();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => repo.update(seller, { shopName: `s${i}` })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<ShopSettings>).value.id));
    expect(ids.size).toBe(1);
  });

  it('waits for the forward sync’s document lock', async () => {
    const seller = await mongo.newUser();
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
