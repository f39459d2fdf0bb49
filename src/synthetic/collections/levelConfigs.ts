import type { CollectionGenerator } from '../generator.js';
import { MIGRATED } from '../quirks.js';
import { timestamps, withUnknownFields } from './common.js';

/**
 * The level table users.level points at by value. Fixed: production has one row per level. No quirk here
 * may reject a row, or every user of that level would be rejected without a label.
 */
export const LEVELS = [
  { level: 1, name: 'Newcomer', minPoints: 0, feeDiscountBps: 0 },
  { level: 2, name: 'Bronze', minPoints: 100, feeDiscountBps: 10 },
  { level: 3, name: 'Silver', minPoints: 300, feeDiscountBps: 25 },
  { level: 4, name: 'Gold', minPoints: 700, feeDiscountBps: 50 },
  { level: 5, name: 'Platinum', minPoints: 1_500, feeDiscountBps: 75 },
  { level: 6, name: 'Diamond', minPoints: 3_000, feeDiscountBps: 100 },
  { level: 7, name: 'Master', minPoints: 6_000, feeDiscountBps: 125 },
  { level: 8, name: 'Grandmaster', minPoints: 12_000, feeDiscountBps: 150 },
  { level: 9, name: 'Legend', minPoints: 25_000, feeDiscountBps: 200 },
  { level: 10, name: 'Mythic', minPoints: 50_000, feeDiscountBps: 250 },
] as const;

const BENEFITS = [
  'priority_support',
  'free_listing',
  'badge',
  'early_access',
  'lower_fees',
  'custom_shop_url',
];

/** The level a points balance earns: the highest level whose minPoints it reaches. */
export function levelForPoints(points: number): number {
  let level = 1;
  for (const row of LEVELS) if (points >= row.minPoints) level = row.level;
  return level;
}

export const levelConfigs: CollectionGenerator = {
  name: 'levelconfigs',
  quirks: { missing_timestamps: MIGRATED, unknown_field: MIGRATED },
  indexes: [{ key: { level: 1 }, unique: true }],
  // Seeded once when the platform launched.
  window: (epoch) => ({ startMs: epoch.startMs, endMs: epoch.startMs + 3_600_000 }),

  generate(plan, index, quirk) {
    const row = LEVELS[index % LEVELS.length] ?? LEVELS[0];
    const rng = plan.rng(this.name, index);
    const doc = {
      _id: plan.idOf(this.name, index),
      ...row,
      benefits: BENEFITS.slice(0, index % LEVELS.length),
      ...timestamps(rng, plan.timeOf(this.name, index), plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
