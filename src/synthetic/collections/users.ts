import type { Document } from 'mongodb';
import type { CollectionGenerator } from '../generator.js';
import { countBelow, roleOf } from '../population.js';
import type { Rng } from '../prng.js';
import { dangling, MIGRATED, nullElement, rejected } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';
import { levelForPoints } from './levelConfigs.js';

const NAME = 'users';
const DAY_MS = 86_400_000;
const TRANSPORTS = ['usb', 'nfc', 'ble', 'internal', 'hybrid'];
const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
  'okhttp/4.12.0',
  'TelegramBot (like TwitterBot)',
];
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function passkey(rng: Rng, createdMs: number, endMs: number, repeatedTransports: boolean): Document {
  const transports = repeatedTransports
    ? ['usb', 'usb', 'nfc', 'usb']
    : TRANSPORTS.filter(() => rng.chance(0.35));
  const at = createdMs + rng.int(Math.max(1, endMs - createdMs));
  return {
    credentialId: Buffer.from(rng.bytes(32)).toString('base64url'),
    publicKey: rng.chars(BASE64_ALPHABET, 100) + '==',
    counter: rng.int(500),
    transports,
    createdAt: new Date(at),
    ...(rng.chance(0.7) ? { lastUsedAt: new Date(at + rng.int(Math.max(1, endMs - at))) } : {}),
  };
}

function refreshToken(rng: Rng, createdMs: number, endMs: number): Document {
  const at = createdMs + rng.int(Math.max(1, endMs - createdMs));
  return {
    tokenHash: rng.hex(32),
    expiresAt: new Date(at + 30 * DAY_MS),
    createdAt: new Date(at),
    ...(rng.chance(0.3) ? { revokedAt: new Date(at + rng.int(30 * DAY_MS)) } : {}),
    userAgent: rng.pick(USER_AGENTS),
  };
}

export const users: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_referrer: dangling, // deferred self reference to a hard-deleted user: FK NULL + anomaly
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    null_subdocument_fields: MIGRATED, // profile.bio and preferences.notifications null
    empty_passkeys: MIGRATED, // zero child rows
    repeated_transports: MIGRATED, // transports are strings of a passkey row, not ids of a junction
    null_refresh_token: nullElement,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
    invalid_enum: rejected('invalid_enum'), // role 'superuser'
    wrong_type: rejected('invalid_type'), // points '12': numeric strings are not coerced
    unknown_level: rejected('orphan_reference'), // level with no levelconfigs row: the by-value FK refuses it
  },
  indexes: [
    // Sparse: Telegram-only accounts have no email, accounts from before referrals no code.
    { key: { email: 1 }, unique: true, sparse: true },
    { key: { referralCode: 1 }, unique: true, sparse: true },
  ],
  window: (epoch) => ({ startMs: epoch.startMs + 30 * DAY_MS, endMs: epoch.endMs }),

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const endMs = plan.epoch.endMs;
    const first = rng.pick(text.FIRST_NAMES);
    const last = rng.pick(text.LAST_NAMES);
    const account = rng.float();
    const telegramOnly = account < 0.05;
    const passkeyOnly = !telegramOnly && account < 0.08;
    const points = Math.floor(rng.float() ** 3 * 60_000);
    const place = rng.pick(text.PLACES);

    const profile: Document = {
      firstName: first,
      lastName: last,
      displayName: `${first} ${last.charAt(0)}.`,
      ...(rng.chance(0.6) ? { avatarUrl: `https://cdn.example.com/avatars/${rng.hex(8)}.jpg` } : {}),
      ...(rng.chance(0.3) ? { bio: rng.pick(text.SENTENCES) } : {}),
      country: place[2],
    };
    if (quirk === 'emoji_text')
      Object.assign(profile, { displayName: rng.pick(text.EMOJI_TEXTS), bio: rng.pick(text.EMOJI_TEXTS) });
    if (quirk === 'rtl_text') {
      const rtl = rng.pick(text.RTL_TEXTS);
      Object.assign(profile, {
        firstName: rtl.split(' ')[0],
        lastName: rtl.split(' ').slice(1).join(' '),
        displayName: rtl,
      });
    }
    if (quirk === 'long_text') profile.bio = text.longText(rng);
    if (quirk === 'null_subdocument_fields') profile.bio = null;

    const notifications =
      quirk === 'null_subdocument_fields' ? null : { email: rng.chance(0.8), telegram: rng.chance(0.4) };

    // Passkeys shipped two thirds into the epoch: older users never got the field, newer ones got Mongoose's [].
    const passkeyEra = createdMs > plan.epoch.startMs + ((endMs - plan.epoch.startMs) * 2) / 3;
    const passkeyCount =
      quirk === 'empty_passkeys'
        ? 0
        : passkeyOnly || quirk === 'repeated_transports'
          ? rng.between(1, 2)
          : rng.chance(0.15)
            ? 1
            : 0;
    const passkeys = Array.from({ length: passkeyCount }, (_, k) =>
      passkey(rng, createdMs, endMs, quirk === 'repeated_transports' && k === 0),
    );
    const refreshTokens: (Document | null)[] = Array.from(
      { length: quirk === 'empty_passkeys' ? 0 : rng.between(quirk === 'null_refresh_token' ? 1 : 0, 3) },
      () => refreshToken(rng, createdMs, endMs),
    );
    if (quirk === 'null_refresh_token') refreshTokens.splice(rng.int(refreshTokens.length + 1), 0, null);

    const known = countBelow(plan.population.users, index);
    const referrerIndex = known > 0 && rng.chance(0.25) ? plan.population.users[rng.int(known)] : undefined;
    const referredBy =
      quirk === 'orphan_referrer'
        ? plan.orphanIdFor(NAME, index, createdMs)
        : referrerIndex !== undefined
          ? plan.idOf(NAME, referrerIndex)
          : rng.chance(0.5)
            ? null
            : undefined;
    const email = telegramOnly
      ? undefined
      : `${first}.${last}.${index.toString(36)}@${rng.pick(text.EMAIL_DOMAINS)}`.toLowerCase();
    const emailVerified = email !== undefined && rng.chance(0.85);

    const doc: Document = {
      _id: plan.idOf(NAME, index),
      ...(email !== undefined ? { email } : {}),
      ...(telegramOnly || passkeyOnly || quirk === 'empty_passkeys'
        ? {}
        : { password: `$2b$10$${rng.chars(BCRYPT_ALPHABET, 53)}` }),
      role: quirk === 'invalid_enum' ? 'superuser' : roleOf(plan, index),
      status: rng.chance(0.92) ? 'active' : rng.pick(['suspended', 'deleted']),
      profile,
      preferences: { language: rng.pick(text.LANGUAGES), currency: rng.pick(text.CURRENCIES), notifications },
      points: quirk === 'wrong_type' ? String(points) : points,
      level: quirk === 'unknown_level' ? 42 : levelForPoints(points),
      ...(rng.chance(0.8)
        ? {
            referralCode:
              rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ', 4) + index.toString(36).toUpperCase().padStart(4, '0'),
          }
        : {}),
      ...(referredBy !== undefined ? { referredBy } : {}),
      referralStats: { totalReferred: rng.int(5), totalEarnedPoints: rng.int(5) * 50 },
      ...(passkeyCount > 0 || passkeyEra || quirk === 'empty_passkeys' ? { passkeys } : {}),
      refreshTokens,
      emailVerified,
      ...(email !== undefined && !emailVerified
        ? { emailVerificationToken: rng.hex(20), emailVerificationExpires: new Date(createdMs + DAY_MS) }
        : {}),
      ...(telegramOnly || rng.chance(0.2)
        ? { telegramId: String(rng.between(100_000_000, 7_999_999_999)) }
        : {}),
      ...(rng.chance(0.85)
        ? { lastLoginAt: new Date(createdMs + rng.int(Math.max(1, endMs - createdMs))) }
        : {}),
      ...timestamps(rng, createdMs, endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
