import type { ObjectId } from 'bson';
import type { CollectionGenerator } from '../generator.js';
import type { SeedPlan } from '../plan.js';
import type { Rng } from '../prng.js';
import { dangling, MIGRATED } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';

const NAME = 'configsettings';
/** Rows created before this have the key itself as a string `_id` (legacy-schema.md). */
export const STRING_ID_UNTIL_MS = Date.UTC(2024, 0, 1);
/** Share of settings created before 2024, hence with a string `_id`. */
const STRING_ID_SHARE = 0.4;

const NAMESPACES = [
  'fees',
  'payments',
  'referral',
  'points',
  'escrow',
  'kyc',
  'telegram',
  'ui',
  'limits',
  'features',
];
const SETTINGS = [
  'enabled',
  'minAmount',
  'maxAmount',
  'bps',
  'timeoutMinutes',
  'retryCount',
  'allowList',
  'banner',
  'threshold',
  'mode',
];

/** Unique by construction: index ↔ (namespace, setting, generation) is a bijection. */
export function settingKey(index: number): string {
  const generation = Math.floor(index / 100);
  return `${NAMESPACES[index % 10]}.${SETTINGS[Math.floor(index / 10) % 10]}${generation > 0 ? `V${generation + 1}` : ''}`;
}

/** The setting's `_id`: the key on pre-2024 rows, an ObjectId after. Histories reference it as is. */
export function settingId(plan: SeedPlan, index: number): string | ObjectId {
  return plan.timeOf(NAME, index) < STRING_ID_UNTIL_MS ? settingKey(index) : plan.idOf(NAME, index);
}

/** A Mixed value: every JSON kind, nested ones included. */
export function mixedValue(rng: Rng): unknown {
  switch (rng.int(8)) {
    case 0:
      return rng.int(10_000); // int32 in BSON
    case 1:
      return rng.int(10_000) / 100 + 0.005; // a double with a fraction
    case 2:
      return rng.pick(text.SENTENCES);
    case 3:
      return rng.chance(0.5);
    case 4:
      return null;
    case 5:
      return [rng.int(10), rng.pick(text.CURRENCIES), rng.chance(0.5)];
    case 6:
      return {
        enabled: rng.chance(0.5),
        limits: { daily: rng.int(1000), currencies: [rng.pick(text.CURRENCIES)] },
        note: null,
      };
    default:
      return [];
  }
}

export const configSettings: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_updated_by: dangling, // optional reference to a hard-deleted user: FK NULL + anomaly
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [{ key: { key: 1 }, unique: true }],
  // Spread so that STRING_ID_SHARE of the rows fall before 2024.
  window: (epoch) => ({
    startMs:
      STRING_ID_UNTIL_MS - ((epoch.endMs - STRING_ID_UNTIL_MS) * STRING_ID_SHARE) / (1 - STRING_ID_SHARE),
    endMs: epoch.endMs,
  }),

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const users = plan.population.users;
    const updater = users.length > 0 && rng.chance(0.7) ? users[rng.int(users.length)] : undefined;
    const description =
      quirk === 'emoji_text'
        ? rng.pick(text.EMOJI_TEXTS)
        : quirk === 'rtl_text'
          ? rng.pick(text.RTL_TEXTS)
          : quirk === 'long_text'
            ? text.longText(rng)
            : `Controls ${settingKey(index).replace('.', ' ')}.`;
    const doc = {
      _id: settingId(plan, index),
      key: settingKey(index),
      value: mixedValue(rng),
      description,
      updatedBy:
        quirk === 'orphan_updated_by'
          ? plan.orphanIdFor(NAME, index, plan.epoch.endMs)
          : updater === undefined
            ? null
            : plan.idOf('users', updater),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
