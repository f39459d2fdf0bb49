import { ObjectId } from 'bson';
import { MongoClient, type Db as MongoDb, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idValue } from '../../src/collections/unmapping.js';
import { changeMode } from '../../src/modes/changeMode.js';
import { DrizzleAddressRepo } from '../../src/repositories/pg/addresses.js';
import { DrizzleConfigSettingRepo } from '../../src/repositories/pg/configSettings.js';
import { sweepCollections } from '../../src/sweep/deltaSweep.js';
import { sweepReverse, sweepReverseCollection } from '../../src/sweep/reverseSweep.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { copyCollections } from '../support/agreement.js';
import { runCli } from '../support/cli.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { documentAndRows } from '../mirror/support.js';
import { gapGates } from '../../src/modes/gates/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The reverse sweep (src/sweep/reverseSweep.ts): pg-mode writes whose process died before the MongoDB
 * mirror (simulated by a Drizzle repository built on the pool alone: it writes Postgres and nothing
 * else, as a writer killed right after its commit leaves it) reach MongoDB in one sweep, as the rows'
 * reverse mapping says. Real Postgres and the embedded (or a real) MongoDB, no mocks.
 */
describe('reverse sweep: the backstop for pg-mode mirrors lost with their process', () => {
  let mongo: TestMongo;
  let client: MongoClient;
  let source: MongoDb;
  let pg: TestDatabase;
  const pool = () => pg.db.$client;
  const ctx = () => ({ pool: pool(), mongo: source });
  const PG = ['configsettings', 'configsettinghistories', 'addresses'];

  beforeAll(async () => {
    mongo = await startTestMongo();
    client = new MongoClient(mongo.url);
    await client.connect();
    source = client.db(mongo.dbName);
    pg = await createTestDatabase();
    await seedDatabase(source, { docs: 300, seed: 23, quirkRate: 0 });
    await copyCollections(pool(), source);
    for (const collection of PG)
      for (const to of ['dual', 'pg'])
        await changeMode(
          pg.db,
          { collection, to, actor: 'test', reason: 'reverse sweep test' },
          { gates: gapGates(pg.db) },
        );
    await changeMode(pg.db, { collection: 'reviews', to: 'dual', actor: 'test' }, { gates: gapGates(pg.db) });
    // As if the flips were a minute old: the reverse sweep mirrors only once the settle window of a
    // move into pg has passed (src/modes/settle.ts), and that is not what these tests are about.
    await pool().query(`UPDATE collection_modes SET changed_at = now() - interval '1 minute'`);
  }, 120_000);
  afterAll(async () => {
    await pg?.drop();
    await client?.close();
    await mongo?.stop();
  });

  /** Each document's MongoDB copy and its rows' unmap, canonical; `agree` when they are equal. */
  const compare = async (collection: string, legacyIds: readonly string[]) => {
    const pairs = await Promise.all(
      legacyIds.map((id) => documentAndRows(pool(), source, collection, idValue(id))),
    );
    return { agree: pairs.every((p) => p.mongo === p.rows), pairs };
  };
  const checkpoints = async () =>
    (
      await pool().query<{ collection: string; direction: string }>(
        `SELECT collection, direction FROM sweep_checkpoints ORDER BY collection, direction`,
      )
    ).rows;

  it('mirrors every row Postgres changed that MongoDB never got, and only pg collections', async () => {
    const settings = new DrizzleConfigSettingRepo({ pool: pool() });
    const addresses = new DrizzleAddressRepo({ pool: pool() });
    const written = await Promise.all(
      Array.from({ length: 7 }, (_, i) => settings.set(`reverse.sweep.${i}`, { i, tags: ['a', i] })),
    );
    const { rows: live } = await pool().query<{ id: string }>(
      `SELECT legacy_object_id AS id FROM addresses WHERE source_deleted_at IS NULL AND rejected_at IS NULL
        ORDER BY legacy_object_id LIMIT 3`,
    );
    const changed = live.map((r) => r.id);
    for (const id of changed) await addresses.update(id, { city: `Swept-${id.slice(-4)}` });
    const settingIds = written.map((s) => String(s.id));
    const historyIds = (
      await pool().query<{ id: string }>(
        `SELECT legacy_object_id AS id FROM config_setting_histories WHERE key LIKE 'reverse.sweep.%'`,
      )
    ).rows.map((r) => r.id);
    expect(historyIds).toHaveLength(7);

    // MongoDB is behind: none of these writes reached it.
    expect((await compare('configsettings', settingIds)).agree).toBe(false);
    expect(await source.collection('configsettings').countDocuments({ key: /^reverse\.sweep\./ })).toBe(0);
    expect((await compare('addresses', changed)).agree).toBe(false);

    const result = await sweepReverse(ctx());
    const byName = new Map(result.collections.map((c) => [c.collection, c]));
    expect(result.failed).toBe(0);
    expect(result.gaps).toBe(0);
    for (const name of PG) expect(byName.get(name)).toMatchObject({ direction: 'reverse', status: 'swept' });
    // The overlap (60 s before the flip to pg) may read rows the copy stamped: mirrored identically.
    expect(byName.get('configsettings')!.scanned).toBeGreaterThanOrEqual(7);
    expect(byName.get('configsettings')!.inserted).toBeGreaterThanOrEqual(7);
    expect(byName.get('addresses')!.scanned).toBeGreaterThanOrEqual(3);
    expect(byName.get('users')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('mongo'),
    });
    expect(byName.get('reviews')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('dual'),
    });

    for (const [collection, ids] of [
      ['configsettings', settingIds],
      ['configsettinghistories', historyIds],
      ['addresses', changed],
    ] as const) {
      const { agree, pairs } = await compare(collection, ids);
      expect(agree, `${collection}: ${JSON.stringify(pairs.find((p) => p.mongo !== p.rows))}`).toBe(true);
      expect(pairs.every((p) => p.mongo !== 'null')).toBe(true);
    }
    // One checkpoint per swept collection, in its own direction: the forward sweep's are untouched.
    expect(await checkpoints()).toEqual(
      [...PG].sort().map((collection) => ({ collection, direction: 'reverse' })),
    );
  });

  it('a tombstoned row deletes the MongoDB document; a row removed outright is not seen', async () => {
    const addresses = new DrizzleAddressRepo({ pool: pool() });
    // Delivered to by a purchase request: retired as a tombstone (source_deleted_at), the row kept.
    const { rows: referenced } = await pool().query<{ id: string }>(
      `SELECT a.legacy_object_id AS id FROM addresses a
        WHERE a.source_deleted_at IS NULL AND a.rejected_at IS NULL
          AND EXISTS (SELECT 1 FROM pr_delivery_info d WHERE d.address_id = a.id)
        ORDER BY a.legacy_object_id LIMIT 1`,
    );
    // Referenced by nothing: removed, which leaves no row for a change scan to find.
    const { rows: lone } = await pool().query<{ id: string }>(
      `SELECT a.legacy_object_id AS id FROM addresses a
        WHERE a.source_deleted_at IS NULL AND a.rejected_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM pr_delivery_info d WHERE d.address_id = a.id)
        ORDER BY a.legacy_object_id DESC LIMIT 1`,
    );
    const tombstoned = referenced[0]!.id;
    const removed = lone[0]!.id;
    expect(await addresses.delete(tombstoned)).toBe(true);
    expect(await addresses.delete(removed)).toBe(true);
    const { rows } = await pool().query<{ id: string; deleted: boolean }>(
      `SELECT legacy_object_id AS id, source_deleted_at IS NOT NULL AS deleted FROM addresses
        WHERE legacy_object_id = ANY($1)`,
      [[tombstoned, removed]],
    );
    expect(rows).toEqual([{ id: tombstoned, deleted: true }]);
    const addressDocs = source.collection<Document>('addresses');
    expect(await addressDocs.countDocuments({ _id: new ObjectId(tombstoned) })).toBe(1);

    const result = await sweepReverseCollection(ctx(), 'addresses');
    expect(result).toMatchObject({ status: 'swept', gaps: 0 });
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(await addressDocs.countDocuments({ _id: new ObjectId(tombstoned) })).toBe(0);
    // The limitation the sweep's header states: followMirror and its reverse gap carry a removal.
    expect(await addressDocs.countDocuments({ _id: new ObjectId(removed) })).toBe(1);
  });

  it('a second sweep reads nothing new beyond the overlap; then only what changed since', async () => {
    const settings = new DrizzleConfigSettingRepo({ pool: pool() });
    const first = await sweepReverseCollection(ctx(), 'configsettings', { overlapMs: 0 });
    expect(first).toMatchObject({ status: 'swept', scanned: 0, mirrored: 0 });

    const one = await settings.set('reverse.sweep.3', { changed: true });
    const second = await sweepReverseCollection(ctx(), 'configsettings', { overlapMs: 0 });
    expect(second).toMatchObject({ status: 'swept', scanned: 1, mirrored: 1, inserted: 0 });
    expect(second.from!.getTime()).toBe(first.to!.getTime());
    expect((await compare('configsettings', [String(one.id)])).agree).toBe(true);

    // With the default overlap the recent rows are read again and rewritten identically.
    const again = await sweepReverseCollection(ctx(), 'configsettings');
    expect(again.scanned).toBeGreaterThanOrEqual(8);
    expect(again).toMatchObject({ status: 'swept', inserted: 0, deleted: 0, gaps: 0 });
  });

  it('the forward sweep skips a pg collection: a newer MongoDB document does not overwrite the row', async () => {
    const { rows } = await pool().query<{ id: string; value: unknown; read: Date }>(
      `SELECT legacy_object_id AS id, value, source_read_at AS read FROM config_settings
        WHERE key = 'reverse.sweep.0'`,
    );
    const row = rows[0]!;
    // Someone writes MongoDB straight, later than the row: in dual mode the forward sweep would take it.
    await source.collection<Document>('configsettings').updateOne({ _id: idValue(row.id) } as Document, {
      $set: { value: 'from mongo', updatedAt: new Date() },
    });
    await sleep(50);

    const forward = await sweepCollections(ctx(), { collections: ['configsettings', 'reviews'] });
    expect(forward.collections.map((c) => [c.collection, c.direction, c.status])).toEqual([
      ['configsettings', 'forward', 'skipped'],
      ['reviews', 'forward', 'swept'],
    ]);
    expect(forward.collections[0]!.reason).toContain('Postgres is authoritative');
    const after = await pool().query<{ value: unknown; read: Date }>(
      `SELECT value, source_read_at AS read FROM config_settings WHERE legacy_object_id = $1`,
      [row.id],
    );
    expect(after.rows[0]).toEqual({ value: row.value, read: row.read });
    expect(await checkpoints()).toContainEqual({ collection: 'reviews', direction: 'forward' });
    expect(await checkpoints()).not.toContainEqual({ collection: 'configsettings', direction: 'forward' });

    // And the reverse sweep puts MongoDB back to what Postgres holds once the row changes again.
    await new DrizzleConfigSettingRepo({ pool: pool() }).set('reverse.sweep.0', { back: 1 });
    await sweepReverseCollection(ctx(), 'configsettings', { overlapMs: 0 });
    expect((await compare('configsettings', [row.id])).agree).toBe(true);
  });

  it('skips decommissioned collections (no mirror there) and leaves their MongoDB alone', async () => {
    await changeMode(
      pg.db,
      { collection: 'configsettinghistories', to: 'decommissioned', actor: 'test' },
      { gates: gapGates(pg.db) },
    );
    try {
      const result = await sweepReverse(ctx(), { collections: ['configsettinghistories'] });
      expect(result.collections[0]).toMatchObject({
        status: 'skipped',
        reason: expect.stringContaining('decommissioned'),
      });
      const forward = await sweepCollections(ctx(), { collections: ['configsettinghistories'] });
      expect(forward.collections[0]).toMatchObject({ status: 'skipped' });
    } finally {
      await changeMode(
        pg.db,
        { collection: 'configsettinghistories', to: 'pg', actor: 'test' },
        { gates: gapGates(pg.db) },
      );
    }
  });

  it('strangler sweep runs both directions and reports them apart', async () => {
    await new DrizzleConfigSettingRepo({ pool: pool() }).set('reverse.sweep.cli', 1);
    const env = { PG_URL: pg.url, MONGO_URL: mongo.url };
    const json = await runCli(['sweep', '--collections', 'configsettings,reviews', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as {
      collections: { collection: string; direction: string; status: string }[];
      reverse: { collections: { collection: string; direction: string; status: string; scanned: number }[] };
    };
    // The forward sweep's shape as before (with its direction), the reverse one beside it.
    expect(out.collections.map((c) => [c.collection, c.direction, c.status])).toEqual([
      ['configsettings', 'forward', 'skipped'],
      ['reviews', 'forward', 'swept'],
    ]);
    expect(out.reverse.collections.map((c) => [c.collection, c.direction, c.status])).toEqual([
      ['configsettings', 'reverse', 'swept'],
      ['reviews', 'reverse', 'skipped'],
    ]);
    expect(out.reverse.collections[0]!.scanned).toBeGreaterThanOrEqual(1);
    const { rows } = await pool().query<{ id: string }>(
      `SELECT legacy_object_id AS id FROM config_settings WHERE key = 'reverse.sweep.cli'`,
    );
    expect((await compare('configsettings', [rows[0]!.id])).agree).toBe(true);

    const text = await runCli(['sweep', '--collections', 'configsettings'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^COLLECTION\s+MODE\s+CLOCK\s+STATUS/);
    expect(text.stdout).toMatch(/configsettings\s+pg\s+updatedAt\s+skipped/);
    expect(text.stdout).toMatch(/reverse \(pg collections: Postgres → MongoDB\)\nCOLLECTION\s+MODE\s+STATUS/);
    expect(text.stdout).toMatch(/configsettings\s+pg\s+swept/);
    expect(text.stderr).toMatch(/^reverse: swept \d+ row\(s\)/m);
  }, 120_000);
});
