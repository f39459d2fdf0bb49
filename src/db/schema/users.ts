import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns, tstz } from './columns.js';
import { levelConfigs } from './levelConfigs.js';
import { USER_ROLES, USER_STATUSES } from '../../legacy/enums.js';

/** Every value found in production (legacy-schema.md); the Mongoose model's default is the first. */
export const userRole = pgEnum('user_role', USER_ROLES);
export const userStatus = pgEnum('user_status', USER_STATUSES);

/**
 * `users`, the FK hub (plan Phase 3). `profile`, `preferences` and `referralStats` are flattened into
 * columns; `passkeys[]` and `refreshTokens[]` become the child tables below.
 */
export const users = pgTable(
  'users',
  {
    ...legacyColumns(),
    email: text('email'),
    password: text('password'),
    role: userRole('role').notNull().default('buyer'),
    status: userStatus('status').notNull().default('active'),
    profileFirstName: text('profile_first_name'),
    profileLastName: text('profile_last_name'),
    profileDisplayName: text('profile_display_name'),
    profileAvatarUrl: text('profile_avatar_url'),
    profileBio: text('profile_bio'),
    profileCountry: text('profile_country'),
    prefLanguage: text('pref_language'),
    prefCurrency: text('pref_currency'),
    prefNotifyEmail: boolean('pref_notify_email'),
    prefNotifyTelegram: boolean('pref_notify_telegram'),
    // Counters stay NULL when the document never had them: `$inc` on an absent field starts from 0, so
    // the PG repository must COALESCE, but the backfill does not invent a value.
    points: integer('points'),
    level: integer('level').references(() => levelConfigs.level),
    referralCode: text('referral_code'),
    /** Self reference, set by the users link pass once every row exists. */
    referredById: uuid('referred_by_id')
      .$type<PgUuid>()
      .references((): AnyPgColumn => users.id, { onDelete: 'set null' }),
    referralTotalReferred: integer('referral_total_referred'),
    referralTotalEarnedPoints: integer('referral_total_earned_points'),
    emailVerified: boolean('email_verified'),
    emailVerificationToken: text('email_verification_token'),
    emailVerificationExpires: tstz('email_verification_expires'),
    telegramId: text('telegram_id'),
    lastLoginAt: tstz('last_login_at'),
  },
  (t) => [
    uniqueIndex('users_legacy_object_id_uq').on(t.legacyObjectId),
    // Mongo's unique *sparse* indexes (plan §4.4): absent values may repeat, present ones may not.
    uniqueIndex('users_email_uq')
      .on(t.email)
      .where(sql`email IS NOT NULL`),
    uniqueIndex('users_referral_uq')
      .on(t.referralCode)
      .where(sql`referral_code IS NOT NULL`),
    index('users_referred_by_idx').on(t.referredById),
    index('users_level_idx').on(t.level),
  ],
);

/**
 * `users.passkeys[]`. `ordinal` is the element's index in the source array, so order survives and a
 * re-write (the engine replaces a user's child rows wholesale) produces the same rows.
 */
export const userPasskeys = pgTable(
  'user_passkeys',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    credentialId: text('credential_id'),
    publicKey: text('public_key'),
    // WebAuthn's signature counter is an unsigned 32-bit value: it outgrows int4.
    counter: bigint('counter', { mode: 'number' }),
    transports: text('transports').array(),
    createdAt: tstz('created_at'),
    lastUsedAt: tstz('last_used_at'),
    /** Undeclared keys of the element (including Mongoose's per-subdocument `_id`), canonical EJSON. */
    legacyExtra: jsonb('legacy_extra'),
  },
  (t) => [
    uniqueIndex('user_passkeys_user_ordinal_uq').on(t.userId, t.ordinal),
    // Login looks a passkey up by credential id; not unique, because the source never enforced it.
    index('user_passkeys_credential_idx').on(t.credentialId),
  ],
);

/** `users.refreshTokens[]`: append on login, revoke by setting `revokedAt`. */
export const userRefreshTokens = pgTable(
  'user_refresh_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    tokenHash: text('token_hash'),
    expiresAt: tstz('expires_at'),
    createdAt: tstz('created_at'),
    revokedAt: tstz('revoked_at'),
    userAgent: text('user_agent'),
    legacyExtra: jsonb('legacy_extra'),
  },
  (t) => [
    uniqueIndex('user_refresh_tokens_user_ordinal_uq').on(t.userId, t.ordinal),
    index('user_refresh_tokens_token_hash_idx').on(t.tokenHash),
  ],
);
