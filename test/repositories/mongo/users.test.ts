import { describe, expect, it } from 'vitest';
import { MongoUserRepo } from '../../../src/repositories/mongo/users.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoUserRepo: the legacy user writes, each noted for the seam', () => {
  let repo: MongoUserRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    // The unique sparse indexes on email and referralCode must exist before the duplicate tests.
    await ctx.models.User.init();
    repo = new MongoUserRepo(ctx);
  });

  it('creates a user with the schema defaults, lower-cases the email and refuses a taken one', async () => {
    const { value: user, changed } = await expectNotedWrites(mongo.db, () =>
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
      expectNotedWrites(mongo.db, () => repo.create({ email: 'ana@example.com' })),
    ).rejects.toBeInstanceOf(DomainRuleError);
    await expect(repo.create({ referralCode: 'ANA1' })).rejects.toThrow(/referralCode already taken/);
    // Sparse: accounts without an email (Telegram-only) do not collide with each other.
    await expectNotedWrites(mongo.db, () => repo.create({ telegramId: 't1' }));
    await expectNotedWrites(mongo.db, () => repo.create({ telegramId: 't2' }));
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
    const { value: updated } = await expectNotedWrites(mongo.db, () =>
      repo.updateProfile(user.id, {
        profile: { lastName: 'Silva', bio: undefined },
        preferences: { notifications: { telegram: true } },
      }),
    );
    expect(updated.profile).toEqual({ firstName: 'Bo', lastName: 'Silva', bio: 'hi' });
    expect(updated.preferences).toEqual({ language: 'pt', notifications: { email: true, telegram: true } });
    await expect(repo.updateProfile(hexId(), { profile: {} })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('incrementPoints starts an absent balance at 0, returns the new one and refuses fractions', async () => {
    const user = await repo.create({});
    expect((await expectNotedWrites(mongo.db, () => repo.incrementPoints(user.id, 7))).value).toBe(7);
    expect((await expectNotedWrites(mongo.db, () => repo.incrementPoints(user.id, -2))).value).toBe(5);
    await expect(repo.incrementPoints(user.id, 0.5)).rejects.toBeInstanceOf(DomainRuleError);
    await expect(repo.incrementPoints(hexId(), 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('adds and revokes refresh tokens: every live copy of the hash, once, keeping the first revocation time', async () => {
    const user = await repo.create({});
    await expectNotedWrites(mongo.db, () =>
      repo.addRefreshToken(user.id, { tokenHash: 'a', userAgent: 'ua' }),
    );
    await expectNotedWrites(mongo.db, () => repo.addRefreshToken(user.id, { tokenHash: 'b' }));
    // Legacy data repeats array elements: the same hash twice must not leave one copy usable.
    await expectNotedWrites(mongo.db, () => repo.addRefreshToken(user.id, { tokenHash: 'a' }));

    expect((await expectNotedWrites(mongo.db, () => repo.revokeRefreshToken(user.id, 'a'))).value).toBe(true);
    const after = await repo.findById(user.id);
    const tokens = after?.refreshTokens ?? [];
    expect(tokens.map((t) => [t.tokenHash, t.revokedAt instanceof Date])).toEqual([
      ['a', true],
      ['b', false],
      ['a', true],
    ]);
    expect(tokens.every((t) => t.createdAt instanceof Date)).toBe(true);
    const firstRevocation = tokens[0]?.revokedAt;

    expect((await expectNotedWrites(mongo.db, () => repo.revokeRefreshToken(user.id, 'a'))).value).toBe(
      false,
    );
    expect((await repo.findById(user.id))?.refreshTokens[0]?.revokedAt).toEqual(firstRevocation);
    expect(await repo.revokeRefreshToken(user.id, 'unknown')).toBe(false);
    await expect(repo.addRefreshToken(hexId(), { tokenHash: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('adds passkeys and records logins', async () => {
    const user = await repo.create({});
    const { value: withKey } = await expectNotedWrites(mongo.db, () =>
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
    await expectNotedWrites(mongo.db, () => repo.recordLogin(user.id, at));
    expect((await repo.findById(user.id))?.lastLoginAt).toEqual(at);
    await expect(repo.recordLogin(hexId())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rewardReferral moves the balance and both referral stats in one write', async () => {
    const referrer = await repo.create({ points: 10 });
    const { value, changed } = await expectNotedWrites(mongo.db, () => repo.rewardReferral(referrer.id, 25));
    expect(changed).toHaveLength(1);
    expect(value).toMatchObject({ points: 35, referralStats: { totalReferred: 1, totalEarnedPoints: 25 } });
  });

  it('50 concurrent increments of one balance all count', async () => {
    const user = await repo.create({});
    const { value: balances } = await expectNotedWrites(mongo.db, () =>
      Promise.all(Array.from({ length: 50 }, () => repo.incrementPoints(user.id, 1))),
    );
    expect((await repo.findById(user.id))?.points).toBe(50);
    // Each call saw its own increment applied: the balances it returned are exactly 1..50.
    expect([...balances].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('10 concurrent referral rewards keep points and referral stats consistent', async () => {
    const referrer = await repo.create({});
    await expectNotedWrites(mongo.db, () =>
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
