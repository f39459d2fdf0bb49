import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../../src/collections/registry.js';
import type { LegacyId } from '../../../src/db/ids.js';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import type { IUserRepo, User } from '../../../src/repositories/domain/users.js';
import { MongoUserRepo } from '../../../src/repositories/mongo/users.js';
import { DrizzleUserRepo } from '../../../src/repositories/pg/users.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import { readStoredDocuments } from '../../../src/reverse/readStored.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { usePgRepos, expectNotedRows as expectNoted, snapshotByLegacyId } from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

const HEX = /^[0-9a-f]{24}$/;

/**
 * A user without what each store allocates itself: its id and referredBy (named instead), timestamps,
 * the subdocuments' own `_id`s and a revocation time (checked, then replaced by markers).
 */
function comparable(user: User, names: Map<string, string>): Record<string, unknown> {
  const { id, createdAt, updatedAt, referredBy, passkeys, refreshTokens, ...rest } = user;
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt).toBeInstanceOf(Date);
  expect(updatedAt!.getTime()).toBeGreaterThanOrEqual(createdAt!.getTime());
  const json = user.toJSON();
  expect(json).toMatchObject({ id });
  for (const secret of ['password', 'refreshTokens', 'emailVerificationToken', 'emailVerificationExpires'])
    expect(json).not.toHaveProperty(secret);
  const element = (one: object): Record<string, unknown> => {
    const { _id, revokedAt, ...fields } = one as Record<string, unknown>;
    expect(_id).toMatch(HEX);
    if (revokedAt !== undefined) expect(revokedAt).toBeInstanceOf(Date);
    return { ...fields, ...(revokedAt === undefined ? {} : { revokedAt: 'set' }) };
  };
  return {
    ref: names.get(id) ?? `unknown ${id}`,
    ...(referredBy === undefined ? {} : { referredBy: names.get(referredBy) ?? `unknown ${referredBy}` }),
    passkeys: passkeys.map(element),
    refreshTokens: refreshTokens.map(element),
    ...rest,
  };
}

describe('DrizzleUserRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzleUserRepo;
  let mongoRepo: MongoUserRepo;
  usePgRepos(async ({ ctx, pool: opened, failures: refused }) => {
    pool = opened;
    failures = refused;
    await ctx.models.User.init();
    mongoRepo = new MongoUserRepo(ctx);
    repo = new DrizzleUserRepo({ pool });
  });

  /** Every users row and its child rows, by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(
      pool,
      `SELECT u.legacy_object_id, jsonb_build_object(
                'row', to_jsonb(u),
                'passkeys', (SELECT jsonb_agg(to_jsonb(p) ORDER BY p.ordinal) FROM user_passkeys p WHERE p.user_id = u.id),
                'tokens', (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.ordinal) FROM user_refresh_tokens t WHERE t.user_id = u.id)
              ) AS row
         FROM users u`,
    );

  /** Runs one call and checks from the table that exactly the documents it changed were noted. */
  const expectNotedRows = <T>(call: () => Promise<T>) =>
    expectNoted('users', tableSnapshot, call, { exact: false, label: 'users ' });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const tag = new ObjectId().toHexString().slice(-8);
    const t0 = new Date('2026-01-02T03:04:05.678Z');
    const t1 = new Date('2026-02-03T04:05:06.789Z');
    const script = async (store: IUserRepo) => {
      const names = new Map<string, string>();
      const out: [string, unknown][] = [];
      const keep = (name: string, user: User) => {
        if (!names.has(user.id)) names.set(user.id, name);
        out.push([name, comparable(user, names)]);
        return user;
      };
      const attempt = async (name: string, call: () => Promise<unknown>) => {
        try {
          const value = await call();
          out.push([name, value === undefined ? 'done' : value]);
        } catch (error) {
          out.push([name, (error as Error).name]);
        }
      };
      const email = (who: string) => `${who}.${tag}@Example.com`;
      const ana = keep(
        'ana',
        await store.create({
          email: email('Ana'),
          password: '$2b$10$hash',
          profile: { firstName: 'Ana', country: 'PT' },
          preferences: { language: 'pt', notifications: { email: true } },
          referralCode: `ANA-${tag}`,
          emailVerified: false,
          emailVerificationToken: 'verify-me',
          emailVerificationExpires: t1,
        }),
      );
      const bob = keep(
        'bob',
        await store.create({
          email: email('bob'),
          referredBy: ana.id,
          points: 5,
          role: 'seller',
          telegramId: '42',
        }),
      );
      keep('tg', await store.create({ telegramId: `tg-${tag}` }));
      await attempt('taken email', () => store.create({ email: email('ANA') }));
      await attempt('taken referral code', () => store.create({ referralCode: `ANA-${tag}` }));
      keep(
        'ana.updateProfile',
        await store.updateProfile(ana.id, {
          profile: { lastName: 'Sousa', bio: undefined },
          preferences: { currency: 'EUR', notifications: { telegram: false } },
        }),
      );
      keep('bob.updateProfile {}', await store.updateProfile(bob.id, {}));
      await attempt('ana +10', () => store.incrementPoints(ana.id, 10));
      await attempt('ana -3', () => store.incrementPoints(ana.id, -3));
      await attempt('bob +1', () => store.incrementPoints(bob.id, 1));
      await attempt('ana +1.5', () => store.incrementPoints(ana.id, 1.5));
      keep('ana.rewardReferral', await store.rewardReferral(ana.id, 20));
      keep('ana.rewardReferral again', await store.rewardReferral(ana.id, 0));
      await attempt('ana.addRefreshToken h1', () =>
        store.addRefreshToken(ana.id, { tokenHash: 'h1', expiresAt: t1, createdAt: t0, userAgent: 'ua' }),
      );
      await attempt('ana.addRefreshToken h2', () =>
        store.addRefreshToken(ana.id, { tokenHash: 'h2', expiresAt: t1, createdAt: t0 }),
      );
      await attempt('ana.addRefreshToken h1 again', () =>
        store.addRefreshToken(ana.id, { tokenHash: 'h1', createdAt: t1 }),
      );
      await attempt('ana.revoke h1', () => store.revokeRefreshToken(ana.id, 'h1'));
      await attempt('ana.revoke h1 again', () => store.revokeRefreshToken(ana.id, 'h1'));
      await attempt('ana.revoke unknown', () => store.revokeRefreshToken(ana.id, 'nope'));
      keep(
        'ana.addPasskey',
        await store.addPasskey(ana.id, {
          credentialId: 'cred-1',
          publicKey: 'cGs=',
          counter: 7,
          transports: ['usb', 'nfc'],
          createdAt: t0,
        }),
      );
      keep('ana.addPasskey bare', await store.addPasskey(ana.id, { credentialId: 'cred-2', createdAt: t1 }));
      await attempt('ana.recordLogin', () => store.recordLogin(ana.id, t1));
      keep('ana.findById', (await store.findById(ana.id))!);
      keep('ana.findByEmail', (await store.findByEmail(email('ANA').toUpperCase()))!);
      keep('ana.findByReferralCode', (await store.findByReferralCode(`ANA-${tag}`))!);
      const listed = (await store.list({ limit: 1000 })).filter((u) => names.has(u.id));
      for (const found of listed) keep(`listed ${names.get(found.id)}`, found);
      expect((await store.list({ limit: 2, offset: 1 })).map((u) => u.id)).toEqual(
        (await store.list({ limit: 3 })).slice(1).map((u) => u.id),
      );
      const unknown = new ObjectId().toHexString();
      await attempt('unknown.findById', () => store.findById(unknown));
      await attempt('unknown.findByEmail', () => store.findByEmail(`nobody.${tag}@example.com`));
      await attempt('unknown.findByReferralCode', () => store.findByReferralCode(`none-${tag}`));
      await attempt('unknown.updateProfile', () => store.updateProfile(unknown, { profile: { bio: 'x' } }));
      await attempt('unknown.incrementPoints', () => store.incrementPoints(unknown, 1));
      await attempt('unknown.rewardReferral', () => store.rewardReferral(unknown, 1));
      await attempt('unknown.addRefreshToken', () => store.addRefreshToken(unknown, { tokenHash: 'x' }));
      await attempt('unknown.revokeRefreshToken', () => store.revokeRefreshToken(unknown, 'x'));
      await attempt('unknown.addPasskey', () => store.addPasskey(unknown, { credentialId: 'x' }));
      await attempt('unknown.recordLogin', () => store.recordLogin(unknown));
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    // Spot checks, so an equal pair of wrong answers cannot pass.
    expect(fromPostgres).toContainEqual(['taken email', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['taken referral code', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['ana -3', 7]);
    expect(fromPostgres).toContainEqual(['bob +1', 6]);
    expect(fromPostgres).toContainEqual(['ana +1.5', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['ana.revoke h1', true]);
    expect(fromPostgres).toContainEqual(['ana.revoke h1 again', false]);
    expect(fromPostgres).toContainEqual(['unknown.incrementPoints', 'NotFoundError']);
    expect(fromPostgres).toContainEqual(['unknown.revokeRefreshToken', false]);
    const found = fromPostgres.find(([name]) => name === 'ana.findById')![1];
    expect(found).toMatchObject({
      ref: 'ana',
      points: 27,
      referralStats: { totalReferred: 2, totalEarnedPoints: 20 },
      profile: { firstName: 'Ana', lastName: 'Sousa', country: 'PT' },
      preferences: { language: 'pt', currency: 'EUR', notifications: { email: true, telegram: false } },
      lastLoginAt: t1,
      refreshTokens: [
        { tokenHash: 'h1', revokedAt: 'set' },
        { tokenHash: 'h2' },
        { tokenHash: 'h1', revokedAt: 'set' },
      ],
      passkeys: [
        { credentialId: 'cred-1', counter: 7, transports: ['usb', 'nfc'] },
        { credentialId: 'cred-2', transports: [] },
      ],
    });
    expect(fromPostgres.find(([name]) => name === 'listed bob')![1]).toMatchObject({ referredBy: 'ana' });
    expect(fromPostgres.filter(([name]) => String(name).startsWith('listed')).map(([name]) => name)).toEqual([
      'listed tg',
      'listed bob',
      'listed ana',
    ]);
    expect(failures).toEqual([]);
  });

  it('50 concurrent incrementPoints(+1) on one user end at +50, each seeing its own balance 1..50', async () => {
    const user = await repo.create({ telegramId: 'many' });
    failures.length = 0;
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 50 }, () => repo.incrementPoints(user.id, 1)));
    const ms = performance.now() - started;
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await repo.findById(user.id))?.points).toBe(50);
    expect(failures).toEqual([]);
    console.info(`50 concurrent incrementPoints: ${ms.toFixed(0)} ms`);
  });

  it('concurrent token, passkey, reward and point writes on one user lose nothing', async () => {
    const user = await repo.create({ telegramId: 'mixed' });
    failures.length = 0;
    await Promise.all(
      Array.from({ length: 30 }, (_, i): Promise<unknown> => {
        switch (i % 5) {
          case 0:
            return repo.addRefreshToken(user.id, { tokenHash: `t${i}` });
          case 1:
            return repo.addPasskey(user.id, { credentialId: `c${i}` });
          case 2:
            return repo.rewardReferral(user.id, 2);
          case 3:
            return repo.incrementPoints(user.id, 1);
          default:
            return repo.updateProfile(user.id, { profile: { bio: `b${i}` } });
        }
      }),
    );
    const after = (await repo.findById(user.id))!;
    expect(after.refreshTokens).toHaveLength(6);
    expect(after.passkeys).toHaveLength(6);
    expect(after.points).toBe(6 * 2 + 6);
    expect(after.referralStats).toEqual({ totalReferred: 6, totalEarnedPoints: 12 });
    expect(failures).toEqual([]);
  });

  it('creates documents as MongoDB would: an ObjectId legacy id, its id_map entry, stamped rows, linked referredBy', async () => {
    const before = Date.now();
    const referrer = await repo.create({ telegramId: 'referrer' });
    const created = await repo.create({ email: 'New.User@Example.com', referredBy: referrer.id });
    expect(created.id).toMatch(HEX);
    expect(created.email).toBe('new.user@example.com');
    expect(created.referredBy).toBe(referrer.id);
    expect(new ObjectId(created.id).getTimestamp().getTime()).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) * 1000,
    );
    const { rows } = await pool.query(
      `SELECT m.new_id = u.id AS same_uuid, u.source_read_at > u.updated_at AS read_after, u.created_at,
              u.updated_at, u.source_updated_at, r.legacy_object_id AS referrer
         FROM users u JOIN id_map m ON m.collection = 'users' AND m.legacy_object_id = u.legacy_object_id
         LEFT JOIN users r ON r.id = u.referred_by_id
        WHERE u.legacy_object_id = $1`,
      [created.id],
    );
    expect(rows).toEqual([
      {
        same_uuid: true,
        read_after: true,
        created_at: created.createdAt,
        updated_at: created.updatedAt,
        source_updated_at: created.updatedAt,
        referrer: referrer.id,
      },
    ]);
    const refused = await withWriteLog(() => repo.create({ email: 'new.user@example.com' }));
    expect(refused.outcome.ok).toBe(false);
    expect((refused.outcome as { error: unknown }).error).toBeInstanceOf(DomainRuleError);
    const { rows: left } = await pool.query(`SELECT 1 FROM users WHERE email = 'new.user@example.com'`);
    expect(left).toHaveLength(1);
  });

  it('notes the one user every write changes, and nothing else', async () => {
    const { value: user, log } = await expectNotedRows(() => repo.create({ telegramId: 'noted' }));
    expect(log.size).toBe(1);
    const calls: (() => Promise<unknown>)[] = [
      () => repo.updateProfile(user.id, { profile: { bio: 'hi' } }),
      () => repo.incrementPoints(user.id, 3),
      () => repo.rewardReferral(user.id, 4),
      () => repo.addRefreshToken(user.id, { tokenHash: 'n1' }),
      () => repo.revokeRefreshToken(user.id, 'n1'),
      () => repo.addPasskey(user.id, { credentialId: 'n' }),
      () => repo.recordLogin(user.id),
    ];
    for (const call of calls) {
      const { log: one } = await expectNotedRows(call);
      expect(one.size).toBe(1);
    }
    // A revocation that finds nothing writes nothing.
    const unchanged = await tableSnapshot();
    expect(await repo.revokeRefreshToken(user.id, 'n1')).toBe(false);
    expect(await tableSnapshot()).toEqual(unchanged);
  });

  it('waits for the forward sync’s document lock before writing', async () => {
    const user = await repo.create({ telegramId: 'locked' });
    const blockedBy = async (call: () => Promise<unknown>) => {
      const sync = await pool.connect();
      try {
        await sync.query('BEGIN');
        await lockDocuments(sync, 'users', [new ObjectId(user.id)]);
        let done = false;
        const running = call().then(() => (done = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(done, 'the write did not wait for the lock').toBe(false);
        await sync.query('COMMIT');
        await running;
        expect(done).toBe(true);
      } finally {
        sync.release();
      }
    };
    await blockedBy(() => repo.incrementPoints(user.id, 1));
    await blockedBy(() => repo.addPasskey(user.id, { credentialId: 'w' }));
    await blockedBy(() => repo.revokeRefreshToken(user.id, 'none'));
  });

  it('every user Postgres wrote, mapped back (readStoredDocuments + unmap) and forward (map), gives its rows again', async () => {
    const a = await repo.create({
      email: 'round@example.com',
      password: 'x',
      profile: { displayName: 'R' },
      preferences: { notifications: { telegram: true } },
      points: 1,
    });
    await repo.addRefreshToken(a.id, { tokenHash: 'r1', userAgent: 'ua' });
    await repo.revokeRefreshToken(a.id, 'r1');
    await repo.addPasskey(a.id, { credentialId: 'rk', transports: ['internal'], counter: 1 });
    await repo.rewardReferral(a.id, 3);
    const { problems, documents } = await roundTrip(pool, 'users');
    expect(problems).toEqual([]);
    expect(documents.size).toBeGreaterThanOrEqual(2);
    const client = await pool.connect();
    try {
      const spec = REGISTRY.get('users');
      const stored = await readStoredDocuments(client, spec, [a.id as LegacyId]);
      const doc = spec.unmap!(stored.documents.get(a.id as LegacyId)!, stored.legacyIdOf);
      expect(doc).toMatchObject({
        _id: new ObjectId(a.id),
        points: 4,
        refreshTokens: [{ tokenHash: 'r1', userAgent: 'ua', _id: expect.any(ObjectId) as unknown }],
        passkeys: [{ credentialId: 'rk', transports: ['internal'], _id: expect.any(ObjectId) as unknown }],
      });
    } finally {
      client.release();
    }
  });
});
