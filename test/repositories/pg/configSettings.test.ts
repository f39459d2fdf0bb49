import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/repositories/domain/common.js';
import type {
  ConfigSetting,
  ConfigSettingChange,
  IConfigSettingRepo,
} from '../../../src/repositories/domain/configSettings.js';
import { MongoConfigSettingRepo } from '../../../src/repositories/mongo/configSettings.js';
import { DrizzleConfigSettingRepo } from '../../../src/repositories/pg/configSettings.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { syncDocuments } from '../../../src/sync/syncDocuments.js';
import { usePgRepos } from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

const SETTINGS = 'configsettings';
const HISTORY = 'configsettinghistories';
/** A pre-2024 setting: its `_id` is the key string. */
const LEGACY_KEY = 'legacy.flag';

const idText = (id: unknown) => (id instanceof ObjectId ? id.toHexString() : String(id));

describe('DrizzleConfigSettingRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let repo: DrizzleConfigSettingRepo;
  let mongoRepo: MongoConfigSettingRepo;
  const mongo = usePgRepos(
    async ({ ctx, pool: opened }) => {
      pool = opened;
      mongoRepo = new MongoConfigSettingRepo(ctx);
      await ctx.models.ConfigSetting.init();
      repo = new DrizzleConfigSettingRepo({ pool });
    },
    { max: 10 },
  );

  /** Every row of both tables by collection and legacy id, as comparable JSON. */
  const tableSnapshot = async (): Promise<Map<string, string>> => {
    const { rows } = await pool.query<{ k: string; row: unknown }>(
      `SELECT 'configsettings|' || legacy_object_id AS k, to_jsonb(t) AS row FROM config_settings t
       UNION ALL
       SELECT 'configsettinghistories|' || legacy_object_id, to_jsonb(h) FROM config_setting_histories h`,
    );
    return new Map(rows.map((r) => [r.k, JSON.stringify(r.row)]));
  };

  /** Runs one call and checks from the outside that every row it changed was noted, and nothing else. */
  const expectNotedRows = async <T>(call: () => Promise<T>): Promise<T> => {
    const before = await tableSnapshot();
    const { log, outcome } = await withWriteLog(call);
    const after = await tableSnapshot();
    const noted = [
      ...log.documentsOf(SETTINGS).map((d) => `${SETTINGS}|${idText(d.id)}`),
      ...log.documentsOf(HISTORY).map((d) => `${HISTORY}|${idText(d.id)}`),
    ];
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (k) => before.get(k) !== after.get(k),
    );
    expect(changed).toHaveLength(2);
    expect(noted.sort()).toEqual(changed.sort());
    expect(log.collections.filter((c) => c !== SETTINGS && c !== HISTORY)).toEqual([]);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const admin = await mongo.newUser();
    // A legacy setting in both stores (copied once, before either script writes).
    await mongo.db.collection<{ _id: string; [field: string]: unknown }>(SETTINGS).insertOne({
      _id: LEGACY_KEY,
      key: LEGACY_KEY,
      value: true,
      description: 'old',
      createdAt: new Date('2021-01-01T00:00:00Z'),
      updatedAt: new Date('2021-01-02T00:00:00Z'),
    });
    await syncDocuments(pool, mongo.db, SETTINGS, [LEGACY_KEY]);

    const script = async (store: IConfigSettingRepo) => {
      const names = new Map<string, string>([[LEGACY_KEY, LEGACY_KEY]]);
      const out: [string, unknown][] = [];
      const name = (id: string, as: string) => {
        if (!names.has(id)) names.set(id, as);
        return names.get(id);
      };
      const keep = (label: string, setting: ConfigSetting | null) => {
        if (!setting) return out.push([label, null]);
        const { id, createdAt, updatedAt, ...rest } = setting;
        expect(createdAt).toBeInstanceOf(Date);
        expect(updatedAt).toBeInstanceOf(Date);
        expect(Object.keys(setting.toJSON()).sort()).toEqual(Object.keys(setting).sort());
        return out.push([label, { ref: name(id, label), ...rest }]);
      };
      const keepHistory = async (label: string, key: string, page?: { limit?: number; offset?: number }) => {
        const changes: ConfigSettingChange[] = await store.history(key, page);
        out.push([
          label,
          changes.map(({ id, changedAt, settingId, ...rest }, i) => {
            expect(changedAt).toBeInstanceOf(Date);
            return { ref: name(id, `${label} #${i}`), setting: names.get(settingId), ...rest };
          }),
        ]);
      };
      keep('a created', await store.set('a', 1));
      keep('a object', await store.set('a', { x: [1, 'two', { y: false }], s: 'é' }, admin));
      keep('a empty', await store.set('a', {}));
      keep('a string', await store.set('a', 'text', admin));
      keep('b created by', await store.set('b', [], admin));
      keep('b empty array again', await store.set('b', { n: 1.5, big: 12345678901 }));
      keep('legacy set', await store.set(LEGACY_KEY, false, admin));
      keep('legacy set again', await store.set(LEGACY_KEY, 'off'));
      keep('get a', await store.get('a'));
      keep('get legacy', await store.get(LEGACY_KEY));
      keep('get none', await store.get('none'));
      for (const one of await store.list()) keep(`listed ${one.key}`, one);
      await keepHistory('history a', 'a');
      await keepHistory('history a page', 'a', { limit: 2, offset: 1 });
      await keepHistory('history b', 'b');
      await keepHistory('history legacy', LEGACY_KEY);
      await keepHistory('history none', 'none');
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    const history = Object.fromEntries(fromPostgres) as Record<string, Record<string, unknown>[]>;
    expect(history['history a']!.map((c) => [c.oldValue, c.newValue])).toEqual([
      [{}, 'text'],
      [{ x: [1, 'two', { y: false }], s: 'é' }, {}],
      [1, { x: [1, 'two', { y: false }], s: 'é' }],
      [undefined, 1],
    ]);
    expect(history['history legacy']).toEqual([
      expect.objectContaining({ setting: LEGACY_KEY, oldValue: false, newValue: 'off' }),
      expect.objectContaining({ setting: LEGACY_KEY, oldValue: true, newValue: false, changedBy: admin }),
    ]);
    expect(fromPostgres).toContainEqual([
      'get legacy',
      expect.objectContaining({ ref: LEGACY_KEY, value: 'off', description: 'old' }),
    ]);
  });

  it('writes the setting and its history in one transaction, both noted; stamps; round trips exactly', async () => {
    const admin = await mongo.newUser();
    const created = await expectNotedRows(() => repo.set('n', { on: true }, admin));
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    const changed = await expectNotedRows(() => repo.set('n', 2));
    expect(changed).toMatchObject({ id: created.id, value: 2 });
    expect(changed.updatedBy).toBeUndefined();
    const [change] = await repo.history('n', { limit: 1 });
    expect(change).toMatchObject({ settingId: created.id, oldValue: { on: true }, newValue: 2 });
    expect(change!.changedAt).toEqual(changed.updatedAt);
    const { rows } = await pool.query(
      `SELECT s.updated_at, s.source_updated_at, h.created_at, h.updated_at AS h_updated
         FROM config_settings s JOIN config_setting_histories h ON h.setting_id = s.id
        WHERE s.legacy_object_id = $1 AND h.legacy_object_id = $2`,
      [created.id, change!.id],
    );
    expect(rows).toEqual([
      {
        updated_at: changed.updatedAt,
        source_updated_at: changed.updatedAt,
        created_at: null,
        h_updated: null,
      },
    ]);
    // An unknown user: nothing written, nothing noted.
    const refused = await withWriteLog(() => repo.set('n', 3, new ObjectId().toHexString()));
    expect((refused.outcome as { error: unknown }).error).toBeInstanceOf(NotFoundError);
    expect(refused.log.size).toBe(0);
    expect((await repo.get('n'))?.value).toBe(2);
    for (const collection of [SETTINGS, HISTORY]) {
      const { problems } = await roundTrip(pool, collection);
      expect(problems, collection).toEqual([]);
    }
  });

  it('20 concurrent sets of one new key: one setting, a history whose changes chain exactly', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => repo.set('race', i)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<ConfigSetting>).value.id));
    expect(ids.size).toBe(1);
    const history = await repo.history('race', { limit: 0 });
    expect(history).toHaveLength(20);
    // Follow the chain from the creating change: every value replaced is the one the previous set wrote.
    const byOld = new Map(history.map((c) => [c.oldValue, c]));
    expect(history.filter((c) => c.oldValue === undefined)).toHaveLength(1);
    let current = byOld.get(undefined);
    const seen: unknown[] = [];
    while (current) {
      seen.push(current.newValue);
      current = byOld.get(current.newValue);
    }
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await repo.get('race'))?.value).toBe(seen[seen.length - 1]);
  });

  it('waits for the forward sync’s document lock on the setting', async () => {
    const setting = await repo.set('locked', 1);
    const sync = await pool.connect();
    try {
      await sync.query('BEGIN');
      await lockDocuments(sync, SETTINGS, [new ObjectId(setting.id)]);
      let done = false;
      const running = repo.set('locked', 2).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await sync.query('COMMIT');
      await running;
    } finally {
      sync.release();
    }
    expect((await repo.get('locked'))?.value).toBe(2);
  });
});
