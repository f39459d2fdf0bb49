import { Schema } from 'mongoose';
import { USER_ROLES, USER_STATUSES } from '../../legacy/enums.js';

export { USER_ROLES, USER_STATUSES };

const passkeySchema = new Schema({
  credentialId: String,
  publicKey: String, // base64
  counter: Number,
  transports: [String],
  createdAt: { type: Date, default: Date.now },
  lastUsedAt: Date,
});

const refreshTokenSchema = new Schema({
  tokenHash: String,
  expiresAt: Date,
  createdAt: Date,
  revokedAt: Date,
  userAgent: String,
});

/** Fields `toJSON()` never lets out of the process (secrets and one-time tokens). */
const PRIVATE_FIELDS = ['password', 'refreshTokens', 'emailVerificationToken', 'emailVerificationExpires'];

export const userSchema = new Schema(
  {
    // Unique but sparse: Telegram-only accounts have no email at all.
    email: { type: String, lowercase: true, unique: true, sparse: true },
    password: String, // bcrypt hash; absent on passkey-only accounts
    role: { type: String, enum: USER_ROLES, default: 'buyer' },
    status: { type: String, enum: USER_STATUSES, default: 'active' },
    profile: {
      firstName: String,
      lastName: String,
      displayName: String,
      avatarUrl: String,
      bio: String,
      country: String,
    },
    preferences: {
      language: String,
      currency: String,
      notifications: { email: Boolean, telegram: Boolean },
    },
    points: Number, // `$inc`-updated
    level: Number, // → levelconfigs.level, by value
    referralCode: { type: String, unique: true, sparse: true },
    referredBy: { type: Schema.Types.ObjectId, ref: 'User' },
    referralStats: { totalReferred: Number, totalEarnedPoints: Number },
    passkeys: [passkeySchema],
    refreshTokens: [refreshTokenSchema],
    emailVerified: Boolean,
    emailVerificationToken: String,
    emailVerificationExpires: Date,
    telegramId: String,
    lastLoginAt: Date,
  },
  {
    collection: 'users',
    timestamps: true,
    toJSON: {
      transform(_doc, ret: Record<string, unknown>) {
        for (const field of PRIVATE_FIELDS) delete ret[field];
        return ret;
      },
    },
  },
);
