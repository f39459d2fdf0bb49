import type { CollectionGenerator } from '../generator.js';
import { buyerOf, pickSeller, pickUser, REQUESTS, sellerOf } from '../market.js';
import { dangling, MIGRATED, rejected } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';

const NAME = 'reviews';
const DAY_MS = 86_400_000;

export const reviews: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_reviewer: rejected('orphan_reference'), // reviewerId is typed and required
    orphan_purchase_request: dangling, // purchaseRequestId is optional: FK NULL + anomaly
    rating_out_of_range: rejected('invalid_type'), // rating 7: outside 1..5
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [],
  window: (epoch) => ({ startMs: epoch.startMs + 75 * DAY_MS, endMs: epoch.endMs + 5 * DAY_MS }),
  cap: (population) => (population.users.length > 0 ? Number.MAX_SAFE_INTEGER : 0),

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const { paid, accepted } = plan.population.market;
    const count = plan.count(NAME);
    // Reviews follow paid requests: the buyer reviews the seller, then (sometimes) the seller the buyer.
    const q = Math.floor((index * paid.length) / count);
    const step = index - Math.ceil((q * count) / Math.max(1, paid.length));
    const request = paid.length > 0 && step < 2 && !rng.chance(0.1) ? paid[q] : undefined;
    let reviewer: number;
    let reviewee: number;
    if (request === undefined) {
      reviewer = pickUser(plan, rng);
      reviewee = pickSeller(plan, rng);
    } else {
      const buyer = buyerOf(plan, request);
      const seller = sellerOf(plan, accepted[request] ?? 0);
      [reviewer, reviewee] = step === 0 ? [buyer, seller] : [seller, buyer];
    }
    const comment =
      quirk === 'emoji_text'
        ? rng.pick(text.EMOJI_TEXTS)
        : quirk === 'rtl_text'
          ? rng.pick(text.RTL_TEXTS)
          : quirk === 'long_text'
            ? text.longText(rng)
            : rng.pick(text.REVIEW_COMMENTS);
    const doc = {
      _id: plan.idOf(NAME, index),
      reviewerId:
        quirk === 'orphan_reviewer' ? plan.orphanIdFor(NAME, index, createdMs) : plan.idOf('users', reviewer),
      revieweeId: plan.idOf('users', reviewee),
      ...(quirk === 'orphan_purchase_request'
        ? { purchaseRequestId: plan.orphanIdFor(NAME, index, createdMs) }
        : request !== undefined
          ? { purchaseRequestId: plan.idOf(REQUESTS, request) }
          : {}),
      rating: quirk === 'rating_out_of_range' ? 7 : rng.chance(0.7) ? 5 : rng.between(1, 4),
      ...(rng.chance(0.8) || quirk !== undefined ? { comment } : {}),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
