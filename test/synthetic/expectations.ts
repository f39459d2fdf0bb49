import type { Document } from 'mongodb';
import { LEVELS } from '../../src/synthetic/collections/levelConfigs.js';
import type { QuirkExpectation } from '../../src/synthetic/quirks.js';
import { strings } from './dataset.js';

const migrated: QuirkExpectation = { outcome: 'migrated' };
const anomaly = (code: 'dangling_reference' | 'null_array_element'): QuirkExpectation => ({
  outcome: 'migrated',
  anomaly: code,
});
const rejected = (reason: string) => ({ outcome: 'rejected', reason });

/**
 * docs/data-policy.md restated, independently of the generators: a label that drifts from the policy
 * fails here and has to be changed on purpose, in both places.
 */
export const POLICY: Record<string, Record<string, unknown>> = {
  users: {
    orphan_referrer: anomaly('dangling_reference'),
    missing_timestamps: migrated,
    unknown_field: migrated,
    null_subdocument_fields: migrated,
    empty_passkeys: migrated,
    repeated_transports: migrated,
    null_refresh_token: anomaly('null_array_element'),
    emoji_text: migrated,
    rtl_text: migrated,
    long_text: migrated,
    invalid_enum: rejected('invalid_enum'),
    wrong_type: rejected('invalid_type'),
    unknown_level: rejected('orphan_reference'),
  },
  addresses: {
    orphan_user: rejected('orphan_reference'),
    string_hex_id: migrated,
    missing_user_id: rejected('missing_field'),
    null_user_id: rejected('missing_field'),
    duplicate_primary: rejected('constraint_violation'),
    missing_timestamps: migrated,
    unknown_field: migrated,
    emoji_text: migrated,
    rtl_text: migrated,
    long_text: migrated,
  },
  categories: {
    orphan_parent: anomaly('dangling_reference'),
    string_hex_parent: migrated,
    non_id_parent: rejected('invalid_reference'),
    template_parent: rejected('invalid_reference'),
    numeric_parent: rejected('invalid_reference'),
    missing_timestamps: migrated,
    unknown_field: migrated,
    emoji_text: migrated,
    rtl_text: migrated,
    long_text: migrated,
  },
  levelconfigs: { missing_timestamps: migrated, unknown_field: migrated },
  configsettings: {
    orphan_updated_by: anomaly('dangling_reference'),
    missing_timestamps: migrated,
    unknown_field: migrated,
    emoji_text: migrated,
    rtl_text: migrated,
    long_text: migrated,
  },
  configsettinghistories: {
    orphan_changed_by: anomaly('dangling_reference'),
    missing_timestamps: migrated,
    unknown_field: migrated,
  },
  shopsettings: {
    orphan_seller: rejected('orphan_reference'),
    missing_timestamps: migrated,
    unknown_field: migrated,
    emoji_text: migrated,
    rtl_text: migrated,
    long_text: migrated,
  },
};

/** Top-level fields legacy-schema.md declares; anything else in a clean document is an unlabelled quirk. */
export const DECLARED: Record<string, string[]> = {
  users: [
    'email',
    'password',
    'role',
    'status',
    'profile',
    'preferences',
    'points',
    'level',
    'referralCode',
    'referredBy',
    'referralStats',
    'passkeys',
    'refreshTokens',
    'emailVerified',
    'emailVerificationToken',
    'emailVerificationExpires',
    'telegramId',
    'lastLoginAt',
  ],
  addresses: [
    'userId',
    'label',
    'fullName',
    'phone',
    'line1',
    'line2',
    'city',
    'region',
    'postalCode',
    'country',
    'primary',
  ],
  categories: ['name', 'nameEn', 'slug', 'parentId', 'isActive', 'sortOrder', 'deletedAt'],
  levelconfigs: ['level', 'name', 'minPoints', 'feeDiscountBps', 'benefits'],
  configsettings: ['key', 'value', 'description', 'updatedBy'],
  configsettinghistories: ['settingId', 'key', 'oldValue', 'newValue', 'changedBy', 'changedAt'],
  shopsettings: [
    'sellerId',
    'shopName',
    'description',
    'logoUrl',
    'isOpen',
    'autoAcceptOffers',
    'payoutAddress',
  ],
};

/** What each quirk must visibly do to its document. */
export const SHOWS: Record<string, (doc: Document) => boolean> = {
  missing_timestamps: (doc) => doc.createdAt === undefined && doc.updatedAt === undefined,
  unknown_field: (doc) => 'legacyFlag' in doc && 'oldScore' in doc,
  emoji_text: (doc) => [...strings(doc)].some((s) => /\p{Extended_Pictographic}/u.test(s)),
  rtl_text: (doc) => [...strings(doc)].some((s) => /[\u0590-\u08ff]/.test(s)),
  long_text: (doc) => [...strings(doc)].some((s) => Array.from(s).length >= 10_000),
  null_subdocument_fields: (doc) => doc.profile?.bio === null && doc.preferences?.notifications === null,
  empty_passkeys: (doc) => Array.isArray(doc.passkeys) && doc.passkeys.length === 0,
  repeated_transports: (doc) =>
    doc.passkeys.some((p: Document) => new Set(p.transports).size < p.transports.length),
  null_refresh_token: (doc) => doc.refreshTokens.includes(null),
  invalid_enum: (doc) => doc.role === 'superuser',
  wrong_type: (doc) => doc.points === '12' || typeof doc.points === 'string',
  unknown_level: (doc) => !LEVELS.some(({ level }) => level === doc.level),
  string_hex_id: (doc) => typeof doc.userId === 'string' && /^[0-9a-f]{24}$/.test(doc.userId),
  missing_user_id: (doc) => !('userId' in doc),
  null_user_id: (doc) => doc.userId === null,
  duplicate_primary: (doc) => doc.primary === true,
  string_hex_parent: (doc) => typeof doc.parentId === 'string' && /^[0-9a-f]{24}$/.test(doc.parentId),
  non_id_parent: (doc) => typeof doc.parentId === 'string' && !/^[0-9a-f]{24}$/.test(doc.parentId),
  template_parent: (doc) => typeof doc.parentId === 'string' && doc.parentId.startsWith('tmpl_'),
  numeric_parent: (doc) => typeof doc.parentId === 'number',
};
export const ORPHAN_FIELD: Record<string, string> = {
  orphan_referrer: 'referredBy',
  orphan_user: 'userId',
  orphan_parent: 'parentId',
  orphan_seller: 'sellerId',
  orphan_updated_by: 'updatedBy',
  orphan_changed_by: 'changedBy',
};
