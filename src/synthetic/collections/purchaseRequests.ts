import type { Document } from 'mongodb';
import type { CollectionGenerator } from '../generator.js';
import { buyerPosition, migratingNear, offersOf, OFFERS, REQUESTS, requestStatus } from '../market.js';
import { decimalText, moneyValue } from '../money.js';
import type { SeedPlan } from '../plan.js';
import { dangling, duplicateElement, MIGRATED, nullElement, rejected } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';

const DAY_MS = 86_400_000;
const CARRIERS = ['DHL', 'UPS', 'FedEx', 'DPD', 'USPS', 'Royal Mail'];

/** The buyer's first address, when it is theirs and migrates cleanly (an unlabelled dangling FK otherwise). */
function deliveryAddress(plan: SeedPlan, position: number): number | undefined {
  const addresses = plan.count('addresses');
  const users = plan.population.users.length;
  const first = Math.ceil((position * addresses) / users);
  const end = Math.ceil(((position + 1) * addresses) / users);
  return first < end && plan.quirkAt('addresses', first) === undefined ? first : undefined;
}

export const purchaseRequests: CollectionGenerator = {
  name: REQUESTS,
  quirks: {
    orphan_category: dangling, // optional typed reference to a hard-deleted category
    orphan_delivery_address: dangling, // deliveryInfo.addressId of a hard-deleted address
    duplicate_offer: duplicateElement, // offers[] repeats an id: one junction row, anomaly
    null_offer: nullElement, // offers[] holds a null: skipped, anomaly
    empty_offers: MIGRATED, // offers: [] — zero junction rows (the market gives this request no offers)
    null_delivery_info: MIGRATED, // deliveryInfo: null
    double_budget: MIGRATED, // budget.amount a double on an old row: its shortest decimal
    unparseable_budget: rejected('invalid_money'),
    invalid_enum: rejected('invalid_enum'), // status 'archived'
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [],
  window: (epoch) => ({ startMs: epoch.startMs + 60 * DAY_MS, endMs: epoch.endMs - 2 * DAY_MS }),
  cap: (population) => (population.users.length > 0 ? Number.MAX_SAFE_INTEGER : 0),
  // Needs an offer that migrates to repeat (the market gives duplicate_offer requests several).
  eligible: (plan, index, kind) => {
    if (kind !== 'duplicate_offer') return true;
    const [from, to] = offersOf(plan, index);
    for (let offer = from; offer < to; offer++) if (!plan.isRejected(OFFERS, offer)) return true;
    return false;
  },

  generate(plan, index, quirk) {
    const rng = plan.rng(REQUESTS, index);
    const createdMs = plan.timeOf(REQUESTS, index);
    const status = quirk === 'invalid_enum' ? 'archived' : requestStatus(plan, index);
    const position = buyerPosition(plan, index);

    const [from, to] = offersOf(plan, index);
    const offers: unknown[] = [];
    for (let offer = from; offer < to; offer++)
      if (!plan.isRejected(OFFERS, offer)) offers.push(plan.idOf(OFFERS, offer));
    if (quirk === 'duplicate_offer' && offers.length > 0) {
      // A retried $push: the same id again, later in the array.
      const copy = rng.int(offers.length);
      offers.splice(copy + 1 + rng.int(offers.length - copy), 0, offers[copy]);
    }
    if (quirk === 'null_offer') offers.splice(rng.int(offers.length + 1), 0, null);
    const accepted = plan.population.market.accepted[index] ?? -1;

    const categories = plan.count('categories');
    const category = categories > 0 ? migratingNear(plan, 'categories', rng.int(categories)) : undefined;
    const categoryId =
      quirk === 'orphan_category'
        ? plan.orphanIdFor(REQUESTS, index, createdMs)
        : category === undefined
          ? undefined
          : plan.idOf('categories', category);

    const service = rng.chance(0.15);
    const kind = rng.float();
    const method = kind < 0.7 ? 'shipping' : kind < 0.85 ? 'pickup' : 'digital';
    const address = method === 'shipping' ? deliveryAddress(plan, position) : undefined;
    const shipped = ['awaiting_delivery', 'delivered', 'completed'].includes(status);
    const shippedMs = createdMs + rng.between(1, 10) * DAY_MS;
    let deliveryInfo: Document | null | undefined =
      service && quirk !== 'orphan_delivery_address'
        ? undefined
        : {
            method: quirk === 'orphan_delivery_address' ? 'shipping' : method,
            ...(quirk === 'orphan_delivery_address'
              ? { addressId: plan.orphanIdFor(REQUESTS, index, createdMs) }
              : address !== undefined
                ? { addressId: plan.idOf('addresses', address) }
                : {}),
            ...(shipped && method === 'shipping'
              ? {
                  carrier: rng.pick(CARRIERS),
                  trackingNumber: rng.chars('ABCDEFGHJKLMNPRSTUVWXYZ0123456789', 14),
                  shippedAt: new Date(shippedMs),
                  ...(status !== 'awaiting_delivery'
                    ? { deliveredAt: new Date(shippedMs + rng.between(1, 9) * DAY_MS) }
                    : {}),
                }
              : {}),
            ...(rng.chance(0.2) ? { notes: 'Leave at the door.' } : {}),
          };
    if (quirk === 'null_delivery_info') deliveryInfo = null;

    const sellers = plan.population.sellers;
    const preferred = new Set<number>();
    for (let k = rng.chance(0.15) ? rng.between(1, 3) : 0; k > 0 && sellers.length > 0; k--)
      preferred.add(sellers[rng.int(sellers.length)] ?? 0);

    const title = `${rng.pick(text.REQUEST_NEEDS)} ${rng.pick(text.REQUEST_ITEMS)}`;
    const budget = decimalText(rng, 5_000);
    const doc: Document = {
      _id: plan.idOf(REQUESTS, index),
      buyerId: plan.idOf('users', plan.population.users[position] ?? 0),
      title:
        quirk === 'emoji_text'
          ? rng.pick(text.EMOJI_TEXTS)
          : quirk === 'rtl_text'
            ? rng.pick(text.RTL_TEXTS)
            : title,
      description: quirk === 'long_text' ? text.longText(rng) : `${title}. ${rng.pick(text.SENTENCES)}`,
      ...(categoryId !== undefined ? { categoryId } : {}),
      quantity: service ? 1 : rng.between(1, 10),
      budget: {
        amount:
          quirk === 'unparseable_budget'
            ? moneyValue(rng, budget, 'unparseable')
            : moneyValue(rng, budget, quirk === 'double_budget' ? 'double' : undefined),
        currency: rng.pick(text.CURRENCIES),
      },
      status,
      offers,
      preferredSellerIds: [...preferred].map((seller) => plan.idOf('users', seller)),
      // Mongoose writes the default null; requests from before the field have none.
      ...(accepted >= 0
        ? { acceptedOfferId: plan.idOf(OFFERS, accepted) }
        : rng.chance(0.7)
          ? { acceptedOfferId: null }
          : {}),
      ...(deliveryInfo !== undefined ? { deliveryInfo } : {}),
      ...(service
        ? {
            serviceInfo: {
              scheduledAt: new Date(createdMs + rng.between(2, 30) * DAY_MS),
              durationMinutes: rng.pick([30, 60, 90, 120, 240]),
              ...(rng.chance(0.5) ? { location: rng.pick(text.PLACES)[0] } : {}),
              remote: rng.chance(0.4),
            },
          }
        : {}),
      expiresAt: new Date(createdMs + rng.between(7, 30) * DAY_MS),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
