import type { Shape } from '../mapping/index.js';

/** Every field the User model declares (legacy-schema.md); anything else goes to `legacy_extra`. */
export const USER_SHAPE: Shape = {
  email: true,
  password: true,
  role: true,
  status: true,
  profile: { firstName: true, lastName: true, displayName: true, avatarUrl: true, bio: true, country: true },
  preferences: { language: true, currency: true, notifications: { email: true, telegram: true } },
  points: true,
  level: true,
  referralCode: true,
  referredBy: true,
  referralStats: { totalReferred: true, totalEarnedPoints: true },
  // Mapped to child tables; their elements have shapes of their own.
  passkeys: true,
  refreshTokens: true,
  emailVerified: true,
  emailVerificationToken: true,
  emailVerificationExpires: true,
  telegramId: true,
  lastLoginAt: true,
};

export const PASSKEY_SHAPE: Shape = {
  credentialId: true,
  publicKey: true,
  counter: true,
  transports: true,
  createdAt: true,
  lastUsedAt: true,
};

export const REFRESH_TOKEN_SHAPE: Shape = {
  tokenHash: true,
  expiresAt: true,
  createdAt: true,
  revokedAt: true,
  userAgent: true,
};
