import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoContext } from '../../../src/repositories/mongo/context.js';
import { MongoUserRepo } from '../../../src/repositories/mongo/users.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { startTestMongo, type TestMongo } from '../../support/mongo.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoUserRepo: the legacy user writes, each noted for the seam', () => {
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let db: Db;
  let repo: MongoUserRepo;

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    db = client.db(mongo.dbName);
    const ctx = mongoContext(connection);
    // The unique sparse indexes on email and referralCode must exist before the duplicate tests.
    await ctx.models.User.init();
    repo = new MongoUserRepo(ctx);
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('creates a user with the schema defaults, lower-cases the email and refuses a taken one', async () => {
    const { value: user, changed } = await expectNotedWrites(db, () =>
      repo.create({
        email: 'Ana@Example.COM',
        password: 'bcrypt-hash',
        referralCode: 'ANA1',
        profile: { firstName: 'Ana' },
      }),
    );
    expect(changed).toHaveLength(1);
    expect(user).toMatchObject({ email: 'ana@example.com', role: 'buyer', status: 'active', passkeys: [] });
    expect((await repo.findByEmail('ANA@example.com'))?.id).toBe(user.id);
    expect((await repo.findByReferralCode('ANA1'))?.id).toBe(user.id);

    await expect(
      expectNotedWrites(db, () => repo.create({ email: 'ana@example.com' })),
    ).rejects.toBeInstanceOf(DomainRuleError);
    await expect(repo.create({ referralCode: 'ANA1' })).rejects.toThrow(/referralCode already taken/);
    // Sparse: accounts without an email (Telegram-only) do not collide with each other.
    await expectNotedWrites(db, () => repo.create({ telegramId: 't1' }));
    await expectNotedWrites(db, () => repo.create({ telegramId: 't2' }));
  });

  it('toJSON strips the password, refresh tokens and email-verification fields; the object keeps them', async () => {
    const user = await repo.create({
      email: 'secret@example.com',
      password: 'hash',
      emailVerificationToken: 'tok',
      emailVerificationExpires: new Date(),
    });
    await repo.addRefreshToken(user.id, { tokenHash: 'h0' });
    const found = await repo.findById(user.id);
    expect(found?.password).toBe('hash');
    expect(found?.refreshTokens).toHaveLength(1);
    const json = JSON.parse(JSON.stringify(found)) as Record<string, unknown>;
    for (const field of ['password', 'refreshTokens', 'emailVerificationToken', 'emailVerificationExpires'])
      expect(json).not.toHaveProperty(field);
    expect(json).toMatchObject({ id: user.id, email: 'secret@example.com' });
    expect(json).not.toHaveProperty('__v');
  });

  it('updateProfile sets the given fields and keeps the others', async () => {
    const user = await repo.create({
      profile: { firstName: 'Bo', bio: 'hi' },
      preferences: { language: 'pt', notifications: { email: true, telegram: false } },
    });
    const { value: updated } = await expectNotedWrites(db, () =>
      repo.updateProfile(user.id, {
        profile: { lastName: 'Silva', bio: undefined },
        preferences: { notifications: { telegram: true } },
      }),
    );
    expect(updated.profile).toEqual({ firstName: 'Bo', lastName: 'Silva', bio: 'hi' });
    expect(updated.preferences).toEqual({ language: 'pt', notifications: { email: true, telegram: true } });
    await expect(repo.updateProfile(new ObjectId().toHexString(), { profile: {} })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('incrementPoints starts an absent balance at 0, returns the new one and refuses fractions', async () => {
    const user = await repo.create({});
    expect((await expectNotedWrites(db, () => repo.incrementPoints(user.id, 7))).value).toBe(7);
    expect((await expectNotedWrites(db, () => repo.incrementPoints(user.id, -2))).value).toBe(5);
    await expect(repo.incrementPoints(user.id, 0.5)).rejects.toBeInstanceOf(DomainRuleError);
    await expect(repo.incrementPoints(new ObjectId().toHexString(), 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('adds and revokes refresh tokens: every live copy of the hash, once, keeping the first revocation time', async () => {
    const user = await repo.create({});
    await expectNotedWrites(db, () => repo.addRefreshToken(user.id, { tokenHash: 'a', userAgent: 'ua' }));
    await expectNotedWrites(db, () => repo.addRefreshToken(user.id, { tokenHash: 'b' }));
    // Legacy data repeats array elements: the same hash twice must not leave one copy usable.
    await expectNotedWrites(db, () => repo.addRefreshToken(user.id, { tokenHash: 'a' }));

    expect((await expectNotedWrites(db, () => repo.revokeRefreshToken(user.id, 'a'))).value).toBe(true);
    const after = await repo.findById(user.id);
    const tokens = after?.refreshTokens ?? [];
    expect(tokens.map((t) => [t.tokenHash, t.revokedAt instanceof Date])).toEqual([
      ['a', true],
      ['b', false],
      ['a', true],
    ]);
    expect(tokens.every((t) => t.createdAt instanceof Date)).toBe(true);
    const firstRevocation = tokens[0]?.revokedAt;

    expect((await expectNotedWrites(db, () => repo.revokeRefreshToken(user.id, 'a'))).value).toBe(false);
    expect((await repo.findById(user.id))?.refreshTokens[0]?.revokedAt).toEqual(firstRevocation);
    expect(await repo.revokeRefreshToken(user.id, 'unknown')).toBe(false);
    await expect(
      repo.addRefreshToken(new ObjectId().toHexString(), { tokenHash: 'x' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('adds passkeys and records logins', async () => {
    const user = await repo.create({});
    const { value: withKey } = await expectNotedWrites(db, () =>
      repo.addPasskey(user.id, {
        credentialId: 'cred',
        publicKey: 'AAEC',
        counter: 4294967295,
        transports: ['usb'],
      }),
    );
    expect(withKey.passkeys).toHaveLength(1);
    expect(withKey.passkeys[0]).toMatchObject({
      credentialId: 'cred',
      counter: 4294967295,
      transports: ['usb'],
    });
    expect(withKey.passkeys[0]?.createdAt).toBeInstanceOf(Date);

    const at = new Date('2026-01-02T03:04:05.000Z');
    await expectNotedWrites(db, () => repo.recordLogin(user.id, at));
    expect((await repo.findById(user.id))?.lastLoginAt).toEqual(at);
    await expect(repo.recordLogin(new ObjectId().toHexString())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rewardReferral moves the balance and both referral stats in one write', async () => {
    const referrer = await repo.create({ points: 10 });
    const { value, changed } = await expectNotedWrites(db, () => repo.rewardReferral(referrer.id, 25));
    expect(changed).toHaveLength(1);
    expect(value).toMatchObject({ points: 35, referralStats: { totalReferred: 1, totalEarnedPoints: 25 } });
  });

  it('50 concurrent increments of one balance all count', async () => {
    const user = await repo.create({});
    const { value: balances } = await expectNotedWrites(db, () =>
      Promise.all(Array.from({ length: 50 }, () => repo.incrementPoints(user.id, 1))),
    );
    expect((await repo.findById(user.id))?.points).toBe(50);
    // Each call saw its own increment applied: the balances it returned are exactly 1..50.
    expect([...balances].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('10 concurrent referral rewards keep points and referral stats consistent', async () => {
    const referrer = await repo.create({});
    await expectNotedWrites(db, () =>
      Promise.all(Array.from({ length: 10 }, () => repo.rewardReferral(referrer.id, 5))),
    );
    const after = await repo.findById(referrer.id);
    expect(after?.points).toBe(50);
    expect(after?.referralStats).toEqual({ totalReferred: 10, totalEarnedPoints: 50 });
  });

  it('lists newest first, by page', async () => {
    const first = await repo.create({ telegramId: 'page-1' });
    const second = await repo.create({ telegramId: 'page-2' });
    const page = await repo.list({ limit: 2 });
    expect(page.map((u) => u.id)).toEqual([second.id, first.id]);
    expect((await repo.list({ limit: 1, offset: 1 })).map((u) => u.id)).toEqual([first.id]);
  });
});
