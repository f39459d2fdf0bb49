import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { usersSpec } from '../../src/collections/users/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const map = (doc: LegacyDoc) => usersSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const passkey = {
  _id: oid(901),
  credentialId: 'cred-1',
  publicKey: 'cHVibGlj',
  counter: 3_000_000_000, // a uint32 signature counter beyond int4
  transports: ['usb', 'nfc'],
  createdAt: T0,
  lastUsedAt: T1,
};
const token = { _id: oid(902), tokenHash: 'abc', expiresAt: T1, createdAt: T0, userAgent: 'okhttp/4.12.0' };

const clean = (): LegacyDoc => ({
  _id: oid(1),
  email: 'ana.lima@example.com',
  password: '$2b$10$hash',
  role: 'seller',
  status: 'active',
  profile: {
    firstName: 'Ana',
    lastName: 'Lima',
    displayName: 'Ana L.',
    avatarUrl: 'https://x/a.jpg',
    bio: 'hi',
    country: 'BR',
  },
  preferences: { language: 'pt', currency: 'USDT', notifications: { email: true, telegram: false } },
  points: 1234,
  level: 3,
  referralCode: 'ABCD0001',
  referredBy: oid(2),
  referralStats: { totalReferred: 2, totalEarnedPoints: 100 },
  passkeys: [passkey],
  refreshTokens: [token],
  emailVerified: false,
  emailVerificationToken: 'tok',
  emailVerificationExpires: T1,
  telegramId: '123456789',
  lastLoginAt: T1,
  createdAt: T0,
  updatedAt: T1,
  __v: 4,
});

describe('users mapper', () => {
  it('maps a clean document: flattened sub-documents, child rows, a deferred referrer link', () => {
    const result = mapped(clean());
    expect(result.row).toEqual({
      legacyExtra: null,
      createdAt: T0,
      updatedAt: T1,
      email: 'ana.lima@example.com',
      password: '$2b$10$hash',
      role: 'seller',
      status: 'active',
      profileFirstName: 'Ana',
      profileLastName: 'Lima',
      profileDisplayName: 'Ana L.',
      profileAvatarUrl: 'https://x/a.jpg',
      profileBio: 'hi',
      profileCountry: 'BR',
      prefLanguage: 'pt',
      prefCurrency: 'USDT',
      prefNotifyEmail: true,
      prefNotifyTelegram: false,
      points: 1234,
      level: 3,
      referralCode: 'ABCD0001',
      referralTotalReferred: 2,
      referralTotalEarnedPoints: 100,
      emailVerified: false,
      emailVerificationToken: 'tok',
      emailVerificationExpires: T1,
      telegramId: '123456789',
      lastLoginAt: T1,
    });
    expect(result.row).not.toHaveProperty('referredById'); // the link pass owns it
    expect(result.links).toEqual([
      { column: 'referred_by_id', parent: 'users', parentLegacyId: oid(2).toHexString() },
    ]);
    expect(result.anomalies).toBeUndefined();
    expect(result.children).toEqual({
      user_passkeys: [
        {
          ordinal: 0,
          credentialId: 'cred-1',
          publicKey: 'cHVibGlj',
          counter: 3_000_000_000,
          transports: ['usb', 'nfc'],
          createdAt: T0,
          lastUsedAt: T1,
          legacyExtra: { _id: { $oid: oid(901).toHexString() } },
        },
      ],
      user_refresh_tokens: [
        {
          ordinal: 0,
          tokenHash: 'abc',
          expiresAt: T1,
          createdAt: T0,
          revokedAt: null,
          userAgent: 'okhttp/4.12.0',
          legacyExtra: { _id: { $oid: oid(902).toHexString() } },
        },
      ],
    });
  });

  it('declares its references and children for the engine', () => {
    expect(usersSpec.references).toEqual([
      { path: 'referredBy', parent: 'users', deferred: true, column: 'referred_by_id' },
      { path: 'level', parent: 'levelconfigs', byValue: { column: 'level' } },
    ]);
    expect(Object.keys(usersSpec.children ?? {})).toEqual(['user_passkeys', 'user_refresh_tokens']);
  });

  it('a minimal document (Telegram-only, pre-timestamps): defaults for enums, NULL for the rest', () => {
    const result = mapped({ _id: oid(3), telegramId: '42' });
    expect(result.row).toMatchObject({
      email: null,
      password: null,
      role: 'buyer',
      status: 'active',
      profileFirstName: null,
      prefNotifyEmail: null,
      points: null,
      level: null,
      referralTotalReferred: null,
      createdAt: null,
      updatedAt: null,
      legacyExtra: null,
    });
    expect(result.links).toBeUndefined();
    expect(result.children).toEqual({ user_passkeys: [], user_refresh_tokens: [] });
  });

  it('nulls inside sub-documents become NULL columns', () => {
    const doc = clean();
    doc.profile = { firstName: 'Ana', bio: null };
    doc.preferences = { language: 'pt', notifications: null };
    doc.referralStats = null;
    const row = mapped(doc).row;
    expect(row).toMatchObject({
      profileFirstName: 'Ana',
      profileBio: null,
      prefNotifyEmail: null,
      referralTotalReferred: null,
    });
  });

  it('a sub-document of the wrong type rejects', () => {
    expect(map({ ...clean(), profile: 'Ana' })).toMatchObject({ reject: 'invalid_type', field: 'profile' });
  });

  it('keeps undeclared fields, top-level and inside sub-documents, in legacy_extra', () => {
    const doc = {
      ...clean(),
      legacyFlag: true,
      oldScore: 12.5,
      profile: { firstName: 'Ana', nickname: 'Aninha' },
    };
    expect(mapped(doc).row.legacyExtra).toEqual({
      legacyFlag: true,
      oldScore: { $numberDouble: '12.5' },
      profile: { nickname: 'Aninha' },
    });
  });

  it('copies unicode byte for byte', () => {
    const doc = clean();
    doc.profile = { displayName: '🦄 Zoë ✨', bio: 'مرحبا بالعالم', firstName: 'x'.repeat(20_000) };
    expect(mapped(doc).row).toMatchObject({
      profileDisplayName: '🦄 Zoë ✨',
      profileBio: 'مرحبا بالعالم',
      profileFirstName: 'x'.repeat(20_000),
    });
  });

  it('an invalid enum rejects: invalid_enum', () => {
    expect(map({ ...clean(), role: 'superuser' })).toMatchObject({ reject: 'invalid_enum', field: 'role' });
    expect(map({ ...clean(), status: null })).toMatchObject({ reject: 'invalid_enum', field: 'status' });
  });

  it('wrong types reject: invalid_type (numeric strings are not coerced)', () => {
    expect(map({ ...clean(), points: '12' })).toMatchObject({ reject: 'invalid_type', field: 'points' });
    expect(map({ ...clean(), lastLoginAt: '2024-01-01' })).toMatchObject({
      reject: 'invalid_type',
      field: 'lastLoginAt',
    });
    expect(map({ ...clean(), emailVerified: 'yes' })).toMatchObject({
      reject: 'invalid_type',
      field: 'emailVerified',
    });
  });

  it('level is a by-value reference: a non-integer names no level (invalid_reference)', () => {
    expect(map({ ...clean(), level: '3' })).toMatchObject({ reject: 'invalid_reference', field: 'level' });
    expect(map({ ...clean(), level: 2.5 })).toMatchObject({ reject: 'invalid_reference', field: 'level' });
    // An unknown level maps; the FK refuses it at write time (orphan_reference).
    expect(mapped({ ...clean(), level: 42 }).row.level).toBe(42);
  });

  it('referredBy: a 24-hex string is the ObjectId it spells; other values reject invalid_reference', () => {
    const hex = oid(2).toHexString().toUpperCase();
    expect(mapped({ ...clean(), referredBy: hex }).links).toEqual([
      { column: 'referred_by_id', parent: 'users', parentLegacyId: oid(2).toHexString() },
    ]);
    expect(map({ ...clean(), referredBy: 'friend-of-ana' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'referredBy',
    });
    expect(map({ ...clean(), referredBy: 7 })).toMatchObject({
      reject: 'invalid_reference',
      field: 'referredBy',
    });
    expect(mapped({ ...clean(), referredBy: null }).links).toBeUndefined();
  });

  it('an orphan referrer still links: the link pass records dangling_reference', () => {
    const gone = new ObjectId();
    expect(mapped({ ...clean(), referredBy: gone }).links).toEqual([
      { column: 'referred_by_id', parent: 'users', parentLegacyId: gone.toHexString() },
    ]);
  });

  it('arrays: null elements skipped + null_array_element, ordinals keep source positions', () => {
    const result = mapped({ ...clean(), refreshTokens: [token, null, { ...token, tokenHash: 'def' }] });
    expect(result.children?.user_refresh_tokens?.map((r) => [r.ordinal, r.tokenHash])).toEqual([
      [0, 'abc'],
      [2, 'def'],
    ]);
    expect(result.anomalies).toEqual([
      { code: 'null_array_element', field: 'refreshTokens.1', message: 'refreshTokens[1] is null; skipped' },
    ]);
  });

  it('arrays: empty → zero child rows; repeated transports kept (strings, not a junction)', () => {
    const result = mapped({
      ...clean(),
      passkeys: [{ ...passkey, transports: ['usb', 'usb', 'nfc'] }],
      refreshTokens: [],
    });
    expect(result.children?.user_passkeys?.[0]?.transports).toEqual(['usb', 'usb', 'nfc']);
    expect(result.children?.user_refresh_tokens).toEqual([]);
  });

  it('arrays: a non-object element, or a non-array field, rejects invalid_type', () => {
    expect(map({ ...clean(), passkeys: ['cred'] })).toMatchObject({
      reject: 'invalid_type',
      field: 'passkeys.0',
    });
    expect(map({ ...clean(), refreshTokens: 'abc' })).toMatchObject({
      reject: 'invalid_type',
      field: 'refreshTokens',
    });
    expect(map({ ...clean(), passkeys: [{ ...passkey, counter: '3' }] })).toMatchObject({
      reject: 'invalid_type',
      field: 'passkeys.0.counter',
    });
  });

  it('the first reject wins and names its field', () => {
    const result = map({ ...clean(), email: 5, role: 'superuser' });
    expect(result).toEqual({
      reject: 'invalid_type',
      field: 'email',
      message: 'email is number 5, expected a string',
    });
  });
});
