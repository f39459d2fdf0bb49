import type { LegacyDoc } from '../spec.js';
import { atOrdinals, documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

type Row = Record<string, unknown>;

const passkey = (row: Row): LegacyDoc =>
  documentOf(
    {
      credentialId: row.credentialId,
      publicKey: row.publicKey,
      counter: row.counter,
      transports: row.transports,
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
    },
    row.legacyExtra, // the subdocument's own `_id` (Mongoose gives each one) and undeclared fields
  );

const refreshToken = (row: Row): LegacyDoc =>
  documentOf(
    {
      tokenHash: row.tokenHash,
      expiresAt: row.expiresAt,
      createdAt: row.createdAt,
      revokedAt: row.revokedAt,
      userAgent: row.userAgent,
    },
    row.legacyExtra,
  );

/**
 * A users row and its passkey/refresh-token rows → the users document. `profile`, `preferences` and
 * `referralStats` are rebuilt from their flattened columns (absent when every column is NULL);
 * `referredBy` from the FK the link pass set; `level` is the level number itself (a by-value
 * reference). `passkeys` and `refreshTokens` always come back as arrays, `[]` when there are no rows:
 * the model declares them as document arrays, which Mongoose defaults to `[]`. Secrets (password,
 * refresh tokens, email verification) are part of the document: toJSON stripping is a read-path concern.
 */
export const unmapUser: Unmapper = ({ legacyId, row, children }, legacyIdOf) =>
  documentOf(
    {
      _id: idValue(legacyId),
      email: row.email,
      password: row.password,
      role: row.role,
      status: row.status,
      profile: {
        firstName: row.profileFirstName,
        lastName: row.profileLastName,
        displayName: row.profileDisplayName,
        avatarUrl: row.profileAvatarUrl,
        bio: row.profileBio,
        country: row.profileCountry,
      },
      preferences: {
        language: row.prefLanguage,
        currency: row.prefCurrency,
        notifications: { email: row.prefNotifyEmail, telegram: row.prefNotifyTelegram },
      },
      points: row.points,
      level: row.level,
      referralCode: row.referralCode,
      referredBy: refValue(row.referredById, legacyIdOf),
      referralStats: {
        totalReferred: row.referralTotalReferred,
        totalEarnedPoints: row.referralTotalEarnedPoints,
      },
      passkeys: atOrdinals(children.user_passkeys ?? [], passkey),
      refreshTokens: atOrdinals(children.user_refresh_tokens ?? [], refreshToken),
      emailVerified: row.emailVerified,
      emailVerificationToken: row.emailVerificationToken,
      emailVerificationExpires: row.emailVerificationExpires,
      telegramId: row.telegramId,
      lastLoginAt: row.lastLoginAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
