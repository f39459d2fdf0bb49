import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { ILevelConfigRepo, LevelConfig } from '../../../src/repositories/domain/levelConfigs.js';
import { MongoLevelConfigRepo } from '../../../src/repositories/mongo/levelConfigs.js';
import { DrizzleLevelConfigRepo } from '../../../src/repositories/pg/levelConfigs.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { usePgRepos, expectNotedRows as expectNoted, snapshotByLegacyId } from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

const COLLECTION = 'levelconfigs';

/** A domain object without what each store allocates itself: its id (named instead) and timestamps. */
function comparable(config: LevelConfig, names: Map<string, string>): Record<string, unknown> {
  const { id, createdAt, updatedAt, ...rest } = config;
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt!.getTime()).toBeGreaterThanOrEqual(createdAt!.getTime());
  expect(Object.keys(config.toJSON()).sort()).toEqual(Object.keys(config).sort());
  return { ref: names.get(id) ?? `unknown ${id}`, ...rest };
}

describe('DrizzleLevelConfigRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let repo: DrizzleLevelConfigRepo;
  let mongoRepo: MongoLevelConfigRepo;
  usePgRepos(async ({ ctx, pool: opened }) => {
    pool = opened;
    mongoRepo = new MongoLevelConfigRepo(ctx);
    await ctx.models.LevelConfig.init();
    repo = new DrizzleLevelConfigRepo({ pool });
  });

  /** Every row (all columns, tombstones included) by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(pool, `SELECT legacy_object_id, to_jsonb(t) AS row FROM level_configs t`);

  /** Runs one call and checks from the outside that every row it changed was noted, and nothing else. */
  const expectNotedRows = async <T>(call: () => Promise<T>): Promise<T> =>
    (await expectNoted(COLLECTION, tableSnapshot, call)).value;

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const script = async (store: ILevelConfigRepo) => {
      const names = new Map<string, string>();
      const out: [string, unknown][] = [];
      const keep = (name: string, config: LevelConfig | null) => {
        if (!config) return out.push([name, null]);
        if (!names.has(config.id)) names.set(config.id, name);
        return out.push([name, comparable(config, names)]);
      };
      const attempt = async (name: string, call: () => Promise<unknown>) => {
        try {
          out.push([name, await call()]);
        } catch (error) {
          out.push([name, (error as Error).name]);
        }
      };
      keep('3', await store.upsert(3, { name: 'Gold', minPoints: 1000, feeDiscountBps: 250 }));
      keep('1', await store.upsert(1, { name: 'Bronze', benefits: ['a', 'b', 'a'] }));
      keep('2', await store.upsert(2, { name: undefined, minPoints: 100 }));
      keep('3 again', await store.upsert(3, { name: 'Gold+', benefits: ['x'] }));
      keep('1 empty', await store.upsert(1, {}));
      keep('2 benefits', await store.upsert(2, { benefits: [], ...({ level: 9 } as object) }));
      await attempt('fraction', () => store.upsert(1.5, { name: 'x' }));
      keep('find 3', await store.findByLevel(3));
      keep('find 7', await store.findByLevel(7));
      for (const one of await store.list()) keep(`listed ${names.get(one.id)}`, one);
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    expect(fromPostgres).toContainEqual(['fraction', 'DomainRuleError']);
    expect(fromPostgres.filter(([name]) => String(name).startsWith('listed'))).toEqual([
      ['listed 1', expect.objectContaining({ level: 1, name: 'Bronze', benefits: ['a', 'b', 'a'] })],
      ['listed 2', expect.objectContaining({ level: 2, minPoints: 100, benefits: [] })],
      ['listed 3', expect.objectContaining({ level: 3, name: 'Gold+', minPoints: 1000, benefits: ['x'] })],
    ]);
  });

  it('notes the document it creates or changes; stamps at millisecond precision; round trips exactly', async () => {
    const created = await expectNotedRows(() => repo.upsert(20, { name: 'Twenty' }));
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    const changed = await expectNotedRows(() => repo.upsert(20, { minPoints: 5 }));
    expect(changed.id).toBe(created.id);
    const { rows } = await pool.query(
      `SELECT created_at, updated_at, source_updated_at, source_read_at >= updated_at AS guarded,
              (SELECT new_id FROM id_map WHERE collection = $2 AND legacy_object_id = $1) = id AS mapped
         FROM level_configs WHERE legacy_object_id = $1`,
      [created.id, COLLECTION],
    );
    expect(rows).toEqual([
      {
        created_at: created.createdAt,
        updated_at: changed.updatedAt,
        source_updated_at: changed.updatedAt,
        guarded: true,
        mapped: true,
      },
    ]);
    const { problems } = await roundTrip(pool, COLLECTION);
    expect(problems).toEqual([]);
  });

  it('20 concurrent upserts of one new level: one document, every change applied', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => repo.upsert(40, { name: `n${i}`, minPoints: i })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<LevelConfig>).value.id));
    expect(ids.size).toBe(1);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM level_configs WHERE level = 40`);
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('waits for the forward sync’s document lock', async () => {
    const config = await repo.upsert(50, { name: 'Fifty' });
    const sync = await pool.connect();
    try {
      await sync.query('BEGIN');
      await lockDocuments(sync, COLLECTION, [new ObjectId(config.id)]);
      let done = false;
      const running = repo.upsert(50, { name: 'Later' }).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await sync.query('COMMIT');
      await running;
    } finally {
      sync.release();
    }
    expect((await repo.findByLevel(50))?.name).toBe('Later');
  });
});
