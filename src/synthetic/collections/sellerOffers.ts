import type { CollectionGenerator } from '../generator.js';
import { OFFERS, REQUESTS, requestOf, requestStatus, sellerOf } from '../market.js';
import { decimalText, moneyValue } from '../money.js';
import type { MoneyShape } from '../money.js';
import type { SeedPlan } from '../plan.js';
import { MIGRATED, rejected } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';

const DAY_MS = 86_400_000;
const PRICE_SHAPES: Readonly<Record<string, MoneyShape>> = {
  double_price: 'double',
  string_price: 'string',
  unparseable_price: 'unparseable',
};

/** The offer's price as planned: the payments for an accepted offer pay exactly this. */
export function priceOf(plan: Pick<SeedPlan, 'rng'>, offer: number): string {
  return decimalText(plan.rng(OFFERS, offer, 'price'), 5_000);
}

function offerStatus(plan: SeedPlan, offer: number, request: number): string {
  const accepted = plan.population.market.accepted[request] ?? -1;
  if (accepted === offer) return 'accepted';
  const rng = plan.rng(OFFERS, offer, 'status');
  switch (requestStatus(plan, request)) {
    case 'open':
      return rng.chance(0.85) ? 'pending' : 'withdrawn';
    case 'cancelled':
    case 'expired':
      return rng.pick(['expired', 'rejected', 'withdrawn']);
    default:
      return accepted >= 0 ? (rng.chance(0.8) ? 'rejected' : 'withdrawn') : 'expired';
  }
}

export const sellerOffers: CollectionGenerator = {
  name: OFFERS,
  quirks: {
    orphan_purchase_request: rejected('orphan_reference'), // required; its request never lists it
    string_hex_purchase_request: MIGRATED, // the 24-hex string of its real request
    double_price: MIGRATED,
    string_price: MIGRATED,
    unparseable_price: rejected('invalid_money'),
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [],
  // A little after the requests they answer.
  window: (epoch) => ({ startMs: epoch.startMs + 62 * DAY_MS, endMs: epoch.endMs }),
  // Exactly the offers the market handed out (none when no request could take one).
  cap: (population) => population.market.offerStart.at(-1) ?? 0,

  generate(plan, index, quirk) {
    const rng = plan.rng(OFFERS, index);
    const createdMs = plan.timeOf(OFFERS, index);
    const request = requestOf(plan, index);
    const requestId = plan.idOf(REQUESTS, request);
    const message =
      quirk === 'emoji_text'
        ? rng.pick(text.EMOJI_TEXTS)
        : quirk === 'rtl_text'
          ? rng.pick(text.RTL_TEXTS)
          : quirk === 'long_text'
            ? text.longText(rng)
            : rng.pick(text.OFFER_MESSAGES);
    const doc = {
      _id: plan.idOf(OFFERS, index),
      purchaseRequestId:
        quirk === 'orphan_purchase_request'
          ? plan.orphanIdFor(OFFERS, index, createdMs)
          : quirk === 'string_hex_purchase_request'
            ? requestId.toHexString()
            : requestId,
      sellerId: plan.idOf('users', sellerOf(plan, index)),
      price: {
        amount: moneyValue(rng, priceOf(plan, index), quirk === undefined ? undefined : PRICE_SHAPES[quirk]),
        currency: rng.chance(0.8) ? 'USDT' : rng.pick(text.CURRENCIES),
      },
      ...(rng.chance(0.85) || quirk !== undefined ? { message } : {}),
      deliveryDays: rng.between(1, 21),
      status: offerStatus(plan, index, request),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
