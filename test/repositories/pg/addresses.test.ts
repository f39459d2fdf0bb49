import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../../src/collections/registry.js';
import type { LegacyId } from '../../../src/db/ids.js';
import type { Address, IAddressRepo } from '../../../src/repositories/domain/addresses.js';
import { NotFoundError } from '../../../src/repositories/domain/common.js';
import { MongoAddressRepo } from '../../../src/repositories/mongo/addresses.js';
import { DrizzleAddressRepo } from '../../../src/repositories/pg/addresses.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import { readStoredDocuments } from '../../../src/reverse/readStored.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { usePgRepos, expectNotedRows as expectNoted, snapshotByLegacyId } from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

/** A domain object without what each store allocates itself: its id (named instead) and timestamps. */
function comparable(address: Address, names: Map<string, string>): Record<string, unknown> {
  const { id, createdAt, updatedAt, ...rest } = address;
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt).toBeInstanceOf(Date);
  expect(updatedAt!.getTime()).toBeGreaterThanOrEqual(createdAt!.getTime());
  const json = address.toJSON();
  expect(json).toMatchObject({ id });
  expect(Object.keys(json).sort()).toEqual(Object.keys(address).sort());
  return { ref: names.get(id) ?? `unknown ${id}`, ...rest };
}

describe('DrizzleAddressRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzleAddressRepo;
  let mongoRepo: MongoAddressRepo;
  const mongo = usePgRepos(({ ctx, pool: opened, failures: refused }) => {
    pool = opened;
    failures = refused;
    mongoRepo = new MongoAddressRepo(ctx);
    repo = new DrizzleAddressRepo({ pool });
  });

  /** Every addresses row (all columns, tombstones included) by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(pool, `SELECT legacy_object_id, to_jsonb(a) AS row FROM addresses a`);

  /**
   * Runs one call and checks from the outside (the table before and after, not the repository's word)
   * that every document whose row changed, appeared or went was noted, with `delete` for one that went.
   */
  const expectNotedRows = <T>(call: () => Promise<T>) =>
    expectNoted('addresses', tableSnapshot, call, { exact: false, deletes: true, label: 'addresses ' });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const userId = await mongo.newUser();
    /** One script, run against either repository; its transcript names ids by the call that made them. */
    const script = async (store: IAddressRepo) => {
      const names = new Map<string, string>();
      const out: [string, unknown][] = [];
      const keep = (name: string, address: Address) => {
        if (!names.has(address.id)) names.set(address.id, name);
        out.push([name, comparable(address, names)]);
        return address;
      };
      const attempt = async (name: string, call: () => Promise<unknown>) => {
        try {
          out.push([name, await call()]);
        } catch (error) {
          out.push([name, (error as Error).name]);
        }
      };
      const home = keep('home', await store.create({ userId, label: 'home', city: 'Lisbon', primary: true }));
      const work = keep(
        'work',
        await store.create({
          userId,
          label: 'work',
          line1: 'Rua 1',
          country: 'pt',
          postalCode: '',
          primary: true,
        }),
      );
      const shed = keep(
        'shed',
        await store.create({ userId, label: 'shed', fullName: 'Ana', phone: '+351' }),
      );
      keep('home.setPrimary', await store.setPrimary(home.id));
      keep('home.setPrimary again', await store.setPrimary(home.id));
      keep(
        'work.update',
        await store.update(work.id, {
          city: 'Porto',
          label: undefined,
          region: 'Norte',
          ...({ primary: true } as object),
        }),
      );
      keep('shed.update', await store.update(shed.id, {}));
      await attempt('shed.delete', () => store.delete(shed.id));
      await attempt('shed.delete again', () => store.delete(shed.id));
      await attempt('shed.update after delete', () => store.update(shed.id, { city: 'x' }));
      await attempt('shed.setPrimary after delete', () => store.setPrimary(shed.id));
      await attempt('shed.findById after delete', () => store.findById(shed.id));
      keep('work.setPrimary', await store.setPrimary(work.id));
      for (const found of await store.listByUser(userId)) keep(`listed ${names.get(found.id)}`, found);
      keep('home.findById', (await store.findById(home.id))!);
      await attempt('unknown.findById', () => store.findById(new ObjectId().toHexString()));
      await attempt('unknown.update', () => store.update(new ObjectId().toHexString(), { city: 'x' }));
      expect(await store.listByUser(new ObjectId().toHexString())).toEqual([]);
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    // Spot-check what the transcript says, so an equal pair of wrong answers cannot pass.
    expect(fromPostgres).toContainEqual(['shed.delete', true]);
    expect(fromPostgres).toContainEqual(['shed.delete again', false]);
    expect(fromPostgres).toContainEqual(['shed.update after delete', 'NotFoundError']);
    expect(fromPostgres.filter(([name]) => String(name).startsWith('listed'))).toEqual([
      [
        'listed work',
        expect.objectContaining({ primary: true, city: 'Porto', region: 'Norte', label: 'work' }),
      ],
      ['listed home', expect.objectContaining({ primary: false, city: 'Lisbon' })],
    ]);
    expect(failures).toEqual([]);
  });

  it('creates documents as MongoDB would: an ObjectId legacy id, its id_map entry, stamped rows; refuses an unknown user', async () => {
    const userId = await mongo.newUser();
    const before = Date.now();
    const created = await repo.create({ userId, city: 'Faro' });
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    expect(new ObjectId(created.id).getTimestamp().getTime()).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) * 1000,
    );
    const { rows } = await pool.query(
      `SELECT m.new_id = a.id AS same_uuid, a.source_read_at IS NOT NULL AS read_at, a.created_at, a.updated_at,
              a.source_updated_at, u.legacy_object_id AS user_legacy_id
         FROM addresses a JOIN id_map m ON m.collection = 'addresses' AND m.legacy_object_id = a.legacy_object_id
         JOIN users u ON u.id = a.user_id
        WHERE a.legacy_object_id = $1`,
      [created.id],
    );
    expect(rows).toEqual([
      {
        same_uuid: true,
        read_at: true,
        created_at: created.createdAt,
        updated_at: created.updatedAt,
        source_updated_at: created.updatedAt,
        user_legacy_id: userId,
      },
    ]);
    // A deleted document keeps its id_map entry (an id is allocated once, never reused).
    expect(await repo.delete(created.id)).toBe(true);
    const { rows: kept } = await pool.query(
      `SELECT 1 FROM id_map WHERE collection = 'addresses' AND legacy_object_id = $1`,
      [created.id],
    );
    expect(kept).toHaveLength(1);

    const unknownUser = new ObjectId().toHexString();
    const refused = await withWriteLog(() => repo.create({ userId: unknownUser, city: 'Nowhere' }));
    expect(refused.outcome.ok).toBe(false);
    expect((refused.outcome as { error: unknown }).error).toBeInstanceOf(NotFoundError);
    expect(refused.log.size).toBe(0);
  });

  it('20 concurrent setPrimary calls on 5 addresses of one user all succeed, serialized: one primary, the index never fires', async () => {
    const userId = await mongo.newUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await repo.create({ userId, label: `a${i}`, primary: i === 0 })).id);
    failures.length = 0;
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => repo.setPrimary(ids[i % 5]!)),
    );
    const ms = performance.now() - started;
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const result of results)
      expect((result as PromiseFulfilledResult<Address>).value.primary).toBe(true);
    expect(
      failures,
      'statements Postgres refused (23505: the partial unique index; 40P01: a deadlock)',
    ).toEqual([]);
    const listed = await repo.listByUser(userId);
    expect(listed).toHaveLength(5);
    expect(listed.filter((a) => a.primary)).toHaveLength(1);
    expect(listed[0]!.primary).toBe(true);
    console.info(`20 concurrent setPrimary: ${ms.toFixed(0)} ms`);
  });

  it('20 concurrent create({ primary: true }) for a user with no address yet: 20 addresses, one primary', async () => {
    const userId = await mongo.newUser();
    failures.length = 0;
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => repo.create({ userId, label: `c${i}`, primary: true })),
    );
    const ms = performance.now() - started;
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(failures).toEqual([]);
    const listed = await repo.listByUser(userId);
    expect(listed).toHaveLength(20);
    expect(listed.filter((a) => a.primary)).toHaveLength(1);
    console.info(`20 concurrent create(primary): ${ms.toFixed(0)} ms`);
  });

  it('a mix of concurrent writes on one user (creates, setPrimary, updates, deletes) never leaves two primaries or fails a statement', async () => {
    const userId = await mongo.newUser();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await repo.create({ userId, label: `m${i}`, primary: i === 0 })).id);
    failures.length = 0;
    const calls = Array.from({ length: 40 }, (_, i): (() => Promise<unknown>) => {
      const id = ids[i % 4]!;
      switch (i % 5) {
        case 0:
          return () => repo.create({ userId, label: `new${i}`, primary: i % 2 === 0 });
        case 1:
          return () => repo.setPrimary(id);
        case 2:
          return () => repo.update(id, { city: `c${i}` });
        case 3:
          return () => (i > 30 ? repo.delete(id) : repo.findById(id));
        default:
          return () => repo.listByUser(userId);
      }
    });
    const results = await Promise.allSettled(calls.map((call) => call()));
    // A setPrimary or update that runs after its address was deleted is a NotFoundError, and only that.
    for (const result of results)
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(NotFoundError);
    expect(failures).toEqual([]);
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM addresses a JOIN users u ON u.id = a.user_id
        WHERE u.legacy_object_id = $1 AND a."primary"`,
      [userId],
    );
    expect(rows[0]!.n).toBeLessThanOrEqual(1);
  });

  it('notes every document a write changes, the demoted one included, and nothing Postgres did not change', async () => {
    const userId = await mongo.newUser();
    const { value: home, log } = await expectNotedRows(() =>
      repo.create({ userId, label: 'home', primary: true }),
    );
    expect(log.size).toBe(1);
    const { value: work, log: demoting } = await expectNotedRows(() =>
      repo.create({ userId, label: 'work', primary: true }),
    );
    expect(
      demoting
        .documentsOf('addresses')
        .map((d) => (d.id as ObjectId).toHexString())
        .sort(),
    ).toEqual([home.id, work.id].sort());
    expect((await repo.findById(home.id))?.primary).toBe(false);
    const { log: moving } = await expectNotedRows(() => repo.setPrimary(home.id));
    expect(moving.size).toBe(2);
    await expectNotedRows(() => repo.update(work.id, { city: 'Porto' }));
    const { value: gone, log: deleting } = await expectNotedRows(() => repo.delete(home.id));
    expect(gone).toBe(true);
    expect(deleting.documentsOf('addresses')).toEqual([
      { collection: 'addresses', id: new ObjectId(home.id), op: 'delete' },
    ]);
    // The user has no primary now (as in MongoDB); a new one demotes nothing.
    const { log: lone } = await expectNotedRows(() => repo.create({ userId, label: 'new', primary: true }));
    expect(lone.size).toBe(1);
  });

  it('waits for the forward sync’s document lock on every document it changes, the demoted one included', async () => {
    const userId = await mongo.newUser();
    const old = await repo.create({ userId, label: 'old', primary: true });
    const next = await repo.create({ userId, label: 'next' });
    /** Runs `call` while a forward sync (its own lock, src/sync/locks.ts) holds `held`: it must wait. */
    const blockedBy = async (held: string, call: () => Promise<unknown>) => {
      const sync = await pool.connect();
      try {
        await sync.query('BEGIN');
        await lockDocuments(sync, 'addresses', [new ObjectId(held)]);
        let done = false;
        const running = call().then(() => (done = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(done, `the write did not wait for the lock on ${held}`).toBe(false);
        await sync.query('COMMIT');
        await running;
        expect(done).toBe(true);
      } finally {
        sync.release();
      }
    };
    await blockedBy(next.id, () => repo.update(next.id, { city: 'Braga' }));
    await blockedBy(old.id, () => repo.setPrimary(next.id)); // `old` is demoted
    await blockedBy(next.id, () => repo.delete(next.id));
    expect((await repo.findById(old.id))?.primary).toBe(false);
  });

  it('every address Postgres wrote, mapped back (readStoredDocuments + unmap) and forward (map), gives its row again', async () => {
    const userId = await mongo.newUser();
    const a = await repo.create({
      userId,
      label: 'round',
      fullName: 'Ana Sousa',
      phone: '+351 912',
      line1: 'Rua 1',
      line2: '',
      city: 'Lisbon',
      region: 'Lisboa',
      postalCode: '1000-001',
      country: 'Portugal',
      primary: true,
    });
    await repo.create({ userId, label: 'second', primary: true });
    await repo.update(a.id, { city: 'Sintra' });
    const { problems, documents } = await roundTrip(pool, 'addresses');
    expect(problems).toEqual([]);
    expect(documents.size).toBeGreaterThanOrEqual(2);
    // And the document is the one the repository answers.
    const client = await pool.connect();
    try {
      const spec = REGISTRY.get('addresses');
      const stored = await readStoredDocuments(client, spec, [a.id as LegacyId]);
      const doc = spec.unmap!(stored.documents.get(a.id as LegacyId)!, stored.legacyIdOf);
      expect(doc).toMatchObject({
        _id: new ObjectId(a.id),
        userId: new ObjectId(userId),
        city: 'Sintra',
        primary: false,
      });
    } finally {
      client.release();
    }
  });
});
