import type { CollectionGenerator } from '../generator.js';
import { MIGRATED, rejected } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';

const NAME = 'shopsettings';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export const shopSettings: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_seller: rejected('orphan_reference'), // required reference to a hard-deleted seller
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [{ key: { sellerId: 1 }, unique: true }],
  window: (epoch) => ({ startMs: epoch.startMs + 32 * 86_400_000, endMs: epoch.endMs + 3_600_000 }),
  // Shop `index` belongs to the index-th seller: unique sellerId without remembering which are taken.
  cap: (population) => population.sellers.length,

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const seller = plan.population.sellers[index] ?? 0;
    const shopName = `${rng.pick(text.LAST_NAMES)} ${rng.pick(text.SHOP_WORDS)}`;
    const description =
      quirk === 'long_text'
        ? text.longText(rng)
        : quirk === 'rtl_text'
          ? rng.pick(text.RTL_TEXTS)
          : rng.pick(text.SENTENCES);
    const doc = {
      _id: plan.idOf(NAME, index),
      sellerId:
        quirk === 'orphan_seller' ? plan.orphanIdFor(NAME, index, createdMs) : plan.idOf('users', seller),
      shopName: quirk === 'emoji_text' ? rng.pick(text.EMOJI_TEXTS) : shopName,
      ...(rng.chance(0.8) || quirk !== undefined ? { description } : {}),
      ...(rng.chance(0.5) ? { logoUrl: `https://cdn.example.com/shops/${rng.hex(8)}.png` } : {}),
      isOpen: rng.chance(0.85),
      autoAcceptOffers: rng.chance(0.2),
      ...(rng.chance(0.9)
        ? { payoutAddress: rng.chance(0.6) ? `0x${rng.hex(20)}` : `T${rng.chars(BASE58, 33)}` }
        : {}),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
