import type { Document } from 'mongodb';
import type { CollectionGenerator } from '../generator.js';
import { migratingNear, PAYMENTS } from '../market.js';
import { decimalText, moneyValue } from '../money.js';
import type { SeedPlan } from '../plan.js';
import { hash32 } from '../prng.js';
import { dangling, MIGRATED, rejected } from '../quirks.js';
import { timestamps, withUnknownFields } from './common.js';

export const DESTINATIONS = 'deriveddestinations';
const DAY_MS = 86_400_000;
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export const CHAINS = ['ethereum', 'tron', 'bsc', 'polygon'] as const;
export type Chain = (typeof CHAINS)[number];

/**
 * Destinations come in groups, one group per buyer (distinct buyers, ~2.5 destinations each), so that the
 * derivation index can be planned: it is the number of earlier destinations of the same buyer and chain,
 * exactly what the atomic per-(buyer, chain) counter handed out. Within a group every destination has its
 * own seller, which keeps the unique {buyerId, sellerId, chain} true by construction.
 */
function groups(plan: SeedPlan): number {
  const count = plan.count(DESTINATIONS);
  const pool = Math.min(4, sellerPool(plan).length);
  return Math.min(
    plan.population.users.length,
    Math.max(Math.ceil(count / Math.max(1, pool)), Math.round(count / 2.5)),
  );
}

function sellerPool(plan: SeedPlan): Int32Array {
  return plan.population.sellers.length > 0 ? plan.population.sellers : plan.population.users;
}

export interface DestinationPlace {
  readonly group: number;
  /** Members of the group are [from, to). */
  readonly from: number;
  readonly to: number;
}

/**
 * Where group g starts: evenly spread, except that a destination drawn to be rejected (object_payment)
 * never ends its group: the next group's first destination joins it, and takes over its chain (chainOf).
 */
function groupStart(plan: SeedPlan, group: number, groupCount: number): number {
  const count = plan.count(DESTINATIONS);
  const start = Math.ceil((group * count) / groupCount);
  if (group === 0 || group >= groupCount) return Math.min(start, count);
  const previous = Math.ceil(((group - 1) * count) / groupCount);
  const pool = Math.min(4, sellerPool(plan).length);
  const rejectedLast = plan.drawnQuirkAt(DESTINATIONS, start - 1) === 'object_payment';
  // Only while the grown group still has a distinct seller per destination.
  return rejectedLast && start - previous < pool && start < count ? start + 1 : start;
}

export function placeOf(plan: SeedPlan, index: number): DestinationPlace {
  const count = plan.count(DESTINATIONS);
  const g = groups(plan);
  let group = Math.floor((index * g) / count);
  if (index < groupStart(plan, group, g)) group -= 1;
  return { group, from: groupStart(plan, group, g), to: groupStart(plan, group + 1, g) };
}

function drawnChain(plan: Pick<SeedPlan, 'rng'>, index: number): Chain {
  const r = plan.rng(DESTINATIONS, index, 'chain').float();
  return r < 0.35 ? 'ethereum' : r < 0.7 ? 'tron' : r < 0.9 ? 'bsc' : 'polygon';
}

/**
 * The destination's chain. A destination drawn to be rejected (object_payment) shares the chain of the next
 * one of its buyer, so it is never its (buyer, chain) maximum: the migrated maximum seeds the counter
 * (plan §4.5), and a lost maximum would hand the same derivation index out twice.
 */
export function chainOf(plan: SeedPlan, index: number): Chain {
  if (plan.drawnQuirkAt(DESTINATIONS, index) === 'object_payment' && index + 1 < placeOf(plan, index).to)
    return chainOf(plan, index + 1);
  return drawnChain(plan, index);
}

/** The derived address: EVM chains share the 0x form, Tron has its base58 T… form. Unique by entropy (160+ bits). */
export function addressOf(plan: SeedPlan, index: number): string {
  const rng = plan.rng(DESTINATIONS, index, 'address');
  return chainOf(plan, index) === 'tron' ? `T${rng.chars(BASE58, 33)}` : `0x${rng.hex(20)}`;
}

export const derivedDestinations: CollectionGenerator = {
  name: DESTINATIONS,
  quirks: {
    dangling_seller: dangling, // Mixed sellerId: an ObjectId whose user is gone
    string_hex_seller: MIGRATED, // Mixed sellerId: the 24-hex string of a real seller
    dangling_payment: dangling, // Mixed paymentId: an ObjectId whose payment is gone
    object_payment: rejected('invalid_reference'), // Mixed paymentId: an object
    double_sweep_amount: MIGRATED, // sweepHistory[].amount a double on an old row
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
  },
  indexes: [
    {
      name: 'uniq_destination_by_buyer_seller_chain',
      key: { buyerId: 1, sellerId: 1, chain: 1 },
      unique: true,
    },
    { key: { address: 1 }, unique: true },
  ],
  window: (epoch) => ({ startMs: epoch.startMs + 64 * DAY_MS, endMs: epoch.endMs }),
  // Room for one destination per (buyer, seller, chain) at least: at most 4 per buyer.
  cap: (population) =>
    population.users.length *
    Math.min(4, (population.sellers.length > 0 ? population.sellers : population.users).length),
  // Only where a later destination of the same buyer takes over its chain (see chainOf).
  eligible: (plan, index, kind) => kind !== 'object_payment' || index + 1 < placeOf(plan, index).to,

  generate(plan, index, quirk) {
    const rng = plan.rng(DESTINATIONS, index);
    const createdMs = plan.timeOf(DESTINATIONS, index);
    const { group, from } = placeOf(plan, index);
    const users = plan.population.users;
    const buyer = users[Math.floor((group * users.length) / groups(plan))] ?? 0;
    const pool = sellerPool(plan);
    const seller = pool[(hash32(plan.seed, group) + index - from) % pool.length] ?? 0;
    const chain = chainOf(plan, index);
    let derivationIndex = 0;
    for (let other = from; other < index; other++) if (chainOf(plan, other) === chain) derivationIndex++;

    const payments = plan.count(PAYMENTS);
    const payment =
      payments > 0 && rng.chance(0.4) ? migratingNear(plan, PAYMENTS, rng.int(payments)) : undefined;
    const sellerOid = plan.idOf('users', seller);
    const r = rng.float();
    const status = r < 0.6 ? 'active' : r < 0.9 ? 'swept' : r < 0.95 ? 'sweeping' : 'quarantined';
    const sweeps =
      status === 'swept' || status === 'sweeping' || quirk === 'double_sweep_amount' ? rng.between(1, 3) : 0;
    const sweepHistory: Document[] = Array.from({ length: sweeps }, (_, k) => ({
      txHash: chain === 'tron' ? rng.hex(32) : `0x${rng.hex(32)}`,
      amount: moneyValue(
        rng,
        decimalText(rng, 5_000),
        quirk === 'double_sweep_amount' && k === 0 ? 'double' : undefined,
      ),
      sweptAt: new Date(createdMs + (k + 1) * rng.between(1, 20) * DAY_MS),
      status: status === 'sweeping' && k === sweeps - 1 ? 'pending' : 'confirmed',
    }));

    const doc = {
      _id: plan.idOf(DESTINATIONS, index),
      buyerId: plan.idOf('users', buyer),
      sellerId:
        quirk === 'dangling_seller'
          ? plan.orphanIdFor(DESTINATIONS, index, createdMs)
          : quirk === 'string_hex_seller'
            ? sellerOid.toHexString()
            : sellerOid,
      chain,
      derivationIndex,
      address: addressOf(plan, index),
      paymentId:
        quirk === 'dangling_payment'
          ? plan.orphanIdFor(DESTINATIONS, index, createdMs)
          : quirk === 'object_payment'
            ? { paymentId: rng.hex(12) }
            : payment === undefined
              ? null
              : plan.idOf(PAYMENTS, payment),
      status,
      sweepHistory,
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
