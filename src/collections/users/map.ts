import { userRole, userStatus, type users } from '../../db/schema/index.js';
import {
  enumWithDefault,
  FieldReject,
  isFieldReject,
  MapBuilder,
  optionalBool,
  optionalDate,
  optionalInt,
  optionalString,
  readSubdoc,
  type MainRow,
  type Read,
} from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';
import { mapPasskeys, mapRefreshTokens } from './children.js';
import { USER_SHAPE } from './shape.js';

/**
 * `users.level` references levelconfigs by value: it must be an int4 (the FK then decides whether that
 * level exists); anything else is a reference that names nothing.
 */
function levelOf(value: unknown): Read<number | null> {
  const level = optionalInt(value, 'level');
  if (!isFieldReject(level)) return level;
  return new FieldReject('invalid_reference', 'level', `${level.message}; not a levelconfigs level`);
}

/**
 * A users document → users row + passkeys/refresh tokens child rows. Password hash, refresh tokens and
 * email-verification fields ARE migrated: `toJSON()` stripping is a read-path concern (plan §4.4), and
 * auth needs them in Postgres.
 */
export function mapUser(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const profile = b.read(readSubdoc(doc.profile, 'profile'), {});
  const preferences = b.read(readSubdoc(doc.preferences, 'preferences'), {});
  const notifications = b.read(readSubdoc(preferences.notifications, 'preferences.notifications'), {});
  const referralStats = b.read(readSubdoc(doc.referralStats, 'referralStats'), {});

  b.deferredRef(doc.referredBy, { field: 'referredBy', parent: 'users', column: 'referred_by_id' });

  const row: MainRow<typeof users, 'referredById'> = {
    ...b.commonColumns(doc, USER_SHAPE),
    email: b.read(optionalString(doc.email, 'email')),
    password: b.read(optionalString(doc.password, 'password')),
    role: b.read(enumWithDefault(doc.role, 'role', userRole.enumValues, 'buyer')),
    status: b.read(enumWithDefault(doc.status, 'status', userStatus.enumValues, 'active')),
    profileFirstName: b.read(optionalString(profile.firstName, 'profile.firstName')),
    profileLastName: b.read(optionalString(profile.lastName, 'profile.lastName')),
    profileDisplayName: b.read(optionalString(profile.displayName, 'profile.displayName')),
    profileAvatarUrl: b.read(optionalString(profile.avatarUrl, 'profile.avatarUrl')),
    profileBio: b.read(optionalString(profile.bio, 'profile.bio')),
    profileCountry: b.read(optionalString(profile.country, 'profile.country')),
    prefLanguage: b.read(optionalString(preferences.language, 'preferences.language')),
    prefCurrency: b.read(optionalString(preferences.currency, 'preferences.currency')),
    prefNotifyEmail: b.read(optionalBool(notifications.email, 'preferences.notifications.email')),
    prefNotifyTelegram: b.read(optionalBool(notifications.telegram, 'preferences.notifications.telegram')),
    points: b.read(optionalInt(doc.points, 'points')),
    level: b.read(levelOf(doc.level)),
    referralCode: b.read(optionalString(doc.referralCode, 'referralCode')),
    referralTotalReferred: b.read(optionalInt(referralStats.totalReferred, 'referralStats.totalReferred')),
    referralTotalEarnedPoints: b.read(
      optionalInt(referralStats.totalEarnedPoints, 'referralStats.totalEarnedPoints'),
    ),
    emailVerified: b.read(optionalBool(doc.emailVerified, 'emailVerified')),
    emailVerificationToken: b.read(optionalString(doc.emailVerificationToken, 'emailVerificationToken')),
    emailVerificationExpires: b.read(optionalDate(doc.emailVerificationExpires, 'emailVerificationExpires')),
    telegramId: b.read(optionalString(doc.telegramId, 'telegramId')),
    lastLoginAt: b.read(optionalDate(doc.lastLoginAt, 'lastLoginAt')),
  };
  return b.finish(row, {
    user_passkeys: mapPasskeys(b, doc.passkeys),
    user_refresh_tokens: mapRefreshTokens(b, doc.refreshTokens),
  });
}
