import type { CollectionGenerator } from '../generator.js';
import { pickUser, REQUESTS } from '../market.js';
import { MIGRATED, rejected } from '../quirks.js';
import { withUnknownFields } from './common.js';

const NAME = 'pointtransactions';
const DAY_MS = 86_400_000;

export const pointTransactions: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_user: rejected('orphan_reference'), // userId is typed and required
    wrong_type: rejected('invalid_type'), // points '12': numeric strings are not coerced
    fractional_points: rejected('invalid_type'), // points 12.5: integers must be integral
    invalid_enum: rejected('invalid_enum'), // type 'bonus'
    missing_timestamps: MIGRATED, // createdAt absent (append-only: never had updatedAt)
    unknown_field: MIGRATED,
  },
  indexes: [],
  window: (epoch) => ({ startMs: epoch.startMs + 61 * DAY_MS, endMs: epoch.endMs + DAY_MS }),
  cap: (population) => (population.users.length > 0 ? Number.MAX_SAFE_INTEGER : 0),

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const r = rng.float();
    const type =
      r < 0.5 ? 'earn' : r < 0.7 ? 'spend' : r < 0.8 ? 'referral_bonus' : r < 0.9 ? 'adjustment' : 'expire';
    const magnitude = rng.between(5, 500);
    const points =
      type === 'earn' || type === 'referral_bonus'
        ? magnitude
        : type === 'adjustment' && rng.chance(0.5)
          ? magnitude
          : -magnitude;
    const { paid } = plan.population.market;
    // referenceId is polymorphic (no FK, docs/data-policy.md): an id, a string, or nothing, by referenceType.
    const reference =
      type === 'earn' && paid.length > 0
        ? {
            referenceType: 'purchase_request',
            referenceId: plan.idOf(REQUESTS, paid[rng.int(paid.length)] ?? 0),
          }
        : type === 'referral_bonus'
          ? { referenceType: 'user', referenceId: plan.idOf('users', pickUser(plan, rng)) }
          : type === 'spend'
            ? {
                referenceType: 'promo',
                referenceId: `promo:${rng.pick(['SUMMER24', 'WELCOME', 'BLACKFRIDAY'])}`,
              }
            : type === 'adjustment'
              ? { referenceType: 'admin', referenceId: null }
              : {};
    const doc = {
      _id: plan.idOf(NAME, index),
      userId:
        quirk === 'orphan_user'
          ? plan.orphanIdFor(NAME, index, createdMs)
          : plan.idOf('users', pickUser(plan, rng)),
      type: quirk === 'invalid_enum' ? 'bonus' : type,
      points: quirk === 'wrong_type' ? String(points) : quirk === 'fractional_points' ? points + 0.5 : points,
      balanceAfter: rng.int(60_000),
      ...reference,
      metadata: rng.chance(0.3) ? { reason: type } : null,
      ...(quirk === 'missing_timestamps' ? {} : { createdAt: new Date(createdMs) }),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
