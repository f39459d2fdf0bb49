import type { USER_ROLES, USER_STATUSES } from '../../legacy/enums.js';
import type { DomainObject, Id, Page } from './common.js';

export type UserRole = (typeof USER_ROLES)[number];
export type UserStatus = (typeof USER_STATUSES)[number];

/**
 * What `toJSON()` drops, as the legacy model's transform does: the password hash, the refresh tokens and
 * the email-verification token. Every store's read mapper strips the same list (plan §4.4).
 */
export const USER_PRIVATE_FIELDS = [
  'password',
  'refreshTokens',
  'emailVerificationToken',
  'emailVerificationExpires',
] as const;

export interface UserProfile {
  firstName?: string;
  lastName?: string;
  displayName?: string;
  avatarUrl?: string;
  bio?: string;
  country?: string;
}

export interface UserPreferences {
  language?: string;
  currency?: string;
  notifications?: { email?: boolean; telegram?: boolean };
}

export interface ReferralStats {
  totalReferred?: number;
  totalEarnedPoints?: number;
}

export interface Passkey {
  credentialId?: string;
  /** Base64. */
  publicKey?: string;
  /** WebAuthn's signature counter (unsigned 32-bit). */
  counter?: number;
  transports?: string[];
  createdAt?: Date;
  lastUsedAt?: Date;
}

export interface RefreshToken {
  tokenHash?: string;
  expiresAt?: Date;
  createdAt?: Date;
  /** Set once; a revoked token stays in the list. */
  revokedAt?: Date;
  userAgent?: string;
}

export interface User extends DomainObject {
  /** Lower-case; absent on Telegram-only accounts. */
  email?: string;
  /** Bcrypt hash; absent on passkey-only accounts. Private: never in `toJSON()`. */
  password?: string;
  role: UserRole;
  status: UserStatus;
  profile?: UserProfile;
  preferences?: UserPreferences;
  /** Absent until the first award: an increment starts it from 0. */
  points?: number;
  /** A levelconfigs `level`, by value. */
  level?: number;
  referralCode?: string;
  referredBy?: Id;
  referralStats?: ReferralStats;
  passkeys: Passkey[];
  /** Private: never in `toJSON()`. */
  refreshTokens: RefreshToken[];
  emailVerified?: boolean;
  /** Private: never in `toJSON()`. */
  emailVerificationToken?: string;
  /** Private: never in `toJSON()`. */
  emailVerificationExpires?: Date;
  telegramId?: string;
  lastLoginAt?: Date;
}

export interface NewUser {
  /** Stored lower-case; unique when present. */
  email?: string;
  password?: string;
  /** @defaultValue 'buyer' */
  role?: UserRole;
  /** @defaultValue 'active' */
  status?: UserStatus;
  profile?: UserProfile;
  preferences?: UserPreferences;
  points?: number;
  level?: number;
  /** Unique when present. */
  referralCode?: string;
  referredBy?: Id;
  emailVerified?: boolean;
  emailVerificationToken?: string;
  emailVerificationExpires?: Date;
  telegramId?: string;
}

/** The fields a user edits on their profile page; a field left undefined keeps its value. */
export interface ProfileChanges {
  profile?: UserProfile;
  preferences?: UserPreferences;
}

export type NewRefreshToken = Omit<RefreshToken, 'revokedAt'>;
export type NewPasskey = Omit<Passkey, 'lastUsedAt'>;

/**
 * Users, the FK hub. Counters (points, referral stats) change only through atomic increments, never by
 * a read-modify-write, so concurrent awards all count in both stores.
 */
export interface IUserRepo {
  /** A taken email or referral code is a DomainRuleError. */
  create(input: NewUser): Promise<User>;
  updateProfile(id: Id, changes: ProfileChanges): Promise<User>;
  /** Adds `delta` (a signed integer) to the balance, atomically; returns the new balance. */
  incrementPoints(id: Id, delta: number): Promise<number>;
  /** Appends a token. @defaultValue createdAt now */
  addRefreshToken(id: Id, token: NewRefreshToken): Promise<void>;
  /** Revokes every live token of the user with this hash; false when there was none. */
  revokeRefreshToken(id: Id, tokenHash: string): Promise<boolean>;
  /** Appends a passkey. @defaultValue createdAt now */
  addPasskey(id: Id, passkey: NewPasskey): Promise<User>;
  /** @defaultValue at now */
  recordLogin(id: Id, at?: Date): Promise<void>;
  /**
   * Credits the referrer with `points` for one more referral: the balance and both referral stats move
   * in one atomic write. Returns the referrer after it.
   */
  rewardReferral(referrerId: Id, points: number): Promise<User>;
  findById(id: Id): Promise<User | null>;
  /** Case-insensitive, as emails are stored lower-case. */
  findByEmail(email: string): Promise<User | null>;
  findByReferralCode(referralCode: string): Promise<User | null>;
  /** Newest first. @defaultValue limit 50 */
  list(page?: Page): Promise<User[]>;
}
