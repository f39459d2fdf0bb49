import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { ITrezorAccountRepo } from '../../../src/repositories/domain/trezorAccounts.js';
import { MongoTrezorAccountRepo } from '../../../src/repositories/mongo/trezorAccounts.js';
import { DrizzleTrezorAccountRepo } from '../../../src/repositories/pg/trezorAccounts.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import {
  usePgRepos,
  expectNotedRows as expectNoted,
  snapshotByLegacyId,
  named,
} from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

describe('DrizzleTrezorAccountRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzleTrezorAccountRepo;
  let mongoRepo: MongoTrezorAccountRepo;
  usePgRepos(async ({ ctx, pool: opened, failures: refused }) => {
    pool = opened;
    failures = refused;
    await ctx.models.TrezorAccount.init();
    mongoRepo = new MongoTrezorAccountRepo(ctx);
    repo = new DrizzleTrezorAccountRepo({ pool });
  });

  /** Every account and its addresses, by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(
      pool,
      `SELECT t.legacy_object_id, jsonb_build_object(
                'row', to_jsonb(t),
                'addresses', (SELECT jsonb_agg(to_jsonb(a) ORDER BY a.ordinal) FROM trezor_account_addresses a
                               WHERE a.account_id = t.id)) AS row
         FROM trezor_accounts t`,
    );

  /** Runs one call and checks from the tables that exactly the documents it changed were noted. */
  const expectNotedRows = <T>(call: () => Promise<T>) => expectNoted('trezoraccounts', tableSnapshot, call);

  const derive = (i: number) => `addr-${i}`;

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const tag = new ObjectId().toHexString().slice(-8);
    const script = async (store: ITrezorAccountRepo) => {
      const names = new Map<string, string>();
      const out: [string, unknown][] = [];
      const attempt = async <T>(name: string, call: () => Promise<T>): Promise<T | undefined> => {
        try {
          const value = await call();
          const id = (value as { id?: unknown } | null)?.id;
          if (typeof id === 'string' && !names.has(id)) names.set(id, name);
          out.push([name, named(value, names)]);
          return value;
        } catch (error) {
          out.push([name, (error as Error).name]);
          return undefined;
        }
      };
      const a = await attempt('a', () =>
        store.create({
          label: 'main',
          chain: 'ethereum',
          xpub: `xpub-a-${tag}`,
          derivationPath: "m/44'/60'/0'",
        }),
      );
      const b = await attempt('b', () => store.create({ chain: 'tron', xpub: `xpub-b-${tag}` }));
      await attempt('taken xpub', () => store.create({ chain: 'bsc', xpub: `xpub-a-${tag}` }));
      await attempt('a.relabel', () => store.relabel(a!.id, 'renamed'));
      await attempt('a.append', () => store.appendAddress(a!.id, { deriveAddress: derive }));
      await attempt('a.append 2', () => store.appendAddress(a!.id, { deriveAddress: derive }));
      await attempt('a.append null', () =>
        store.appendAddress(a!.id, {
          deriveAddress: async (i) => Promise.resolve(`async-${i}`),
          destinationId: null,
        }),
      );
      await attempt('b.append', () => store.appendAddress(b!.id, { deriveAddress: derive }));
      await attempt('a.findById', () => store.findById(a!.id));
      await attempt('a.findByXpub', () => store.findByXpub(`xpub-a-${tag}`));
      await attempt('list', async () => (await store.list({ limit: 1000 })).filter((t) => names.has(t.id)));
      await attempt('list page', async () => (await store.list({ limit: 1, offset: 1 })).map((t) => t.id));
      const unknown = new ObjectId().toHexString();
      await attempt('unknown.findById', () => store.findById(unknown));
      await attempt('unknown.findByXpub', () => store.findByXpub(`none-${tag}`));
      await attempt('unknown.relabel', () => store.relabel(unknown, 'x'));
      await attempt('unknown.append', () => store.appendAddress(unknown, { deriveAddress: derive }));
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    const at = (name: string) => fromPostgres.find(([n]) => n === name)?.[1];
    expect(at('taken xpub')).toBe('DomainRuleError');
    expect(at('unknown.relabel')).toBe('NotFoundError');
    expect(at('unknown.append')).toBe('NotFoundError');
    expect(at('a.findById')).toMatchObject({
      id: 'a',
      label: 'renamed',
      nextIndex: 3,
      addresses: [
        { index: 0, address: 'addr-0', destinationId: null, createdAt: 'date', _id: 'oid' },
        { index: 1, address: 'addr-1', destinationId: null },
        { index: 2, address: 'async-2', destinationId: null },
      ],
    });
    expect(at('b')).toMatchObject({ nextIndex: 0, addresses: [] });
    expect(at('list page')).toEqual(['b']);
    expect(failures).toEqual([]);
  });

  it('answers a dangling destinationId (its destination removed) as null, as the domain says', async () => {
    // MongoTrezorAccountRepo answers the id it stored; Postgres holds a NULL FK and an anomaly.
    const account = await repo.create({
      chain: 'tron',
      xpub: `xpub-dangling-${new ObjectId().toHexString()}`,
    });
    const gone = new ObjectId().toHexString();
    const after = await repo.appendAddress(account.id, { deriveAddress: derive, destinationId: gone });
    expect(after.addresses).toEqual([
      {
        index: 0,
        address: 'addr-0',
        destinationId: null,
        createdAt: expect.any(Date) as unknown,
        _id: expect.any(String) as unknown,
      },
    ]);
    const { rows } = await pool.query(
      `SELECT code, field FROM migration_anomalies WHERE collection = 'trezoraccounts' AND legacy_object_id = $1`,
      [account.id],
    );
    expect(rows).toEqual([{ code: 'dangling_reference', field: 'addresses.0.destinationId' }]);
  });

  it('30 concurrent appendAddress on one account take indexes 0..29, each once', async () => {
    const account = await repo.create({
      chain: 'ethereum',
      xpub: `xpub-many-${new ObjectId().toHexString()}`,
    });
    failures.length = 0;
    await Promise.all(
      Array.from({ length: 30 }, () => repo.appendAddress(account.id, { deriveAddress: derive })),
    );
    const after = (await repo.findById(account.id))!;
    expect(after.nextIndex).toBe(30);
    expect(after.addresses.map((a) => a.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(after.addresses.map((a) => a.address)).toEqual(Array.from({ length: 30 }, (_, i) => `addr-${i}`));
    expect(failures).toEqual([]);
  });

  it('notes the one account every write changes, and nothing else; waits for the sync lock', async () => {
    const { value: account, log } = await expectNotedRows(() =>
      repo.create({ chain: 'tron', xpub: `xpub-noted-${new ObjectId().toHexString()}` }),
    );
    expect(log.size).toBe(1);
    for (const call of [
      () => repo.relabel(account.id, 'n'),
      () => repo.appendAddress(account.id, { deriveAddress: derive }),
    ]) {
      const { log: one } = await expectNotedRows(call);
      expect(one.size).toBe(1);
    }
    const sync = await pool.connect();
    try {
      await sync.query('BEGIN');
      await lockDocuments(sync, 'trezoraccounts', [new ObjectId(account.id)]);
      let done = false;
      const running = repo.appendAddress(account.id, { deriveAddress: derive }).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done, 'the write did not wait for the lock').toBe(false);
      await sync.query('COMMIT');
      await running;
    } finally {
      sync.release();
    }
    const { rows } = await pool.query(
      `SELECT updated_at = source_updated_at AS versioned, source_read_at > updated_at AS read_after
         FROM trezor_accounts WHERE legacy_object_id = $1`,
      [account.id],
    );
    expect(rows).toEqual([{ versioned: true, read_after: true }]);
  });

  it('every account Postgres wrote, mapped back and forward, gives its rows again', async () => {
    const one = await repo.create({
      label: 'rt',
      chain: 'x',
      xpub: `xpub-rt-${new ObjectId().toHexString()}`,
    });
    await repo.appendAddress(one.id, { deriveAddress: derive, destinationId: new ObjectId().toHexString() });
    await repo.appendAddress(one.id, { deriveAddress: derive });
    await repo.relabel(one.id, 'rt2');
    const { problems, documents } = await roundTrip(pool, 'trezoraccounts');
    expect(problems).toEqual([]);
    expect(documents.size).toBeGreaterThanOrEqual(1);
  });
});
