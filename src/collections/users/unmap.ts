import type { LegacyDoc } from '../spec.js';
import { documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

type Row = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/**
 * `fields` over `extra`, merged per sub-document: an undeclared field nested in a declared sub-document
 * (`profile.nickname`) is kept in legacy_extra as `{ profile: { nickname } }`, and documentOf's shallow
 * spread would let the declared `profile` replace it. Like documentOf, the undeclared keys come first,
 * in legacy_extra's order, so re-mapping the document gives legacy_extra with its keys in that order.
 */
function merge(extra: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extra };
  for (const [key, value] of Object.entries(fields)) {
    const under = out[key];
    out[key] = isObject(under) && isObject(value) ? merge(under, value) : value;
  }
  return out;
}

/**
 * documentOf, with two differences: legacy_extra is merged deeply (see merge), and arrays are taken as
 * they are: documentOf would turn an element that is an empty sub-document (`{}`, a passkey whose
 * fields are all absent) into `null`, which the mapper skips instead of making it a row.
 */
function withExtra(fields: Record<string, unknown>, legacyExtra: unknown): LegacyDoc {
  const compacted = documentOf(fields);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const kept = Array.isArray(value) ? value : compacted[key];
    if (kept !== undefined) out[key] = kept;
  }
  return merge(documentOf({}, legacyExtra), out) as LegacyDoc;
}

/**
 * A child table's rows back into the source array: each row at its `ordinal` (its index in the source
 * array), so the `null` elements the mapper skipped between and before them come back as `null` and
 * re-mapping gives the same ordinals. Nulls after the last element left no ordinal and cannot return.
 */
function atOrdinals(rows: readonly Row[], element: (row: Row) => LegacyDoc): (LegacyDoc | null)[] {
  const out: (LegacyDoc | null)[] = [];
  for (const row of rows) {
    const ordinal = row.ordinal as number;
    while (out.length < ordinal) out.push(null);
    out.push(element(row));
  }
  return out;
}

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
  withExtra(
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
