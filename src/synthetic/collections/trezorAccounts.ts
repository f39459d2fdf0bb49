import type { Document } from 'mongodb';
import type { CollectionGenerator } from '../generator.js';
import { dangling, MIGRATED } from '../quirks.js';
import { withUnknownFields } from './common.js';
import { addressOf, CHAINS, chainOf, DESTINATIONS } from './derivedDestinations.js';

const NAME = 'trezoraccounts';
const DAY_MS = 86_400_000;
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const COIN_TYPES: Readonly<Record<string, number>> = { ethereum: 60, tron: 195, bsc: 60, polygon: 60 };

/**
 * The platform's HD accounts, one chain each. Account t derives the addresses of the destinations in its
 * slice of the destinations (the ones on its chain), in order: addresses[].index counts 0, 1, 2… and
 * nextIndex is the next one. A destination the migration rejects keeps its address entry with a null
 * destinationId (the key exists on chain either way), so no clean entry points at a rejected destination.
 */
export const trezorAccounts: CollectionGenerator = {
  name: NAME,
  quirks: {
    // One more address whose destination was hard-deleted: that child row's FK NULL + anomaly.
    orphan_destination: dangling,
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
  },
  indexes: [{ key: { xpub: 1 }, unique: true }],
  // Set up early; addresses are appended as destinations are derived.
  window: (epoch) => ({ startMs: epoch.startMs + 40 * DAY_MS, endMs: epoch.startMs + 60 * DAY_MS }),

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const accounts = plan.count(NAME);
    const chain = CHAINS[index % CHAINS.length] ?? 'ethereum';
    const destinations = plan.count(DESTINATIONS);
    const from = Math.ceil((index * destinations) / accounts);
    const to = Math.ceil(((index + 1) * destinations) / accounts);
    const addresses: Document[] = [];
    for (let d = from; d < to; d++) {
      if (chainOf(plan, d) !== chain) continue;
      addresses.push({
        index: addresses.length,
        address: addressOf(plan, d),
        destinationId: plan.isRejected(DESTINATIONS, d) ? null : plan.idOf(DESTINATIONS, d),
        createdAt: new Date(plan.timeOf(DESTINATIONS, d)),
      });
    }
    if (quirk === 'orphan_destination') {
      const orphan = plan.orphanIdFor(NAME, index, plan.epoch.endMs);
      addresses.push({
        index: addresses.length,
        address: chain === 'tron' ? `T${rng.chars(BASE58, 33)}` : `0x${rng.hex(20)}`,
        destinationId: orphan,
        createdAt: orphan.getTimestamp(),
      });
    }
    const lastMs = Math.max(createdMs, ...addresses.map((a) => (a.createdAt as Date).getTime()));
    const doc = {
      _id: plan.idOf(NAME, index),
      label: `${chain} hot wallet #${Math.floor(index / CHAINS.length) + 1}`,
      chain,
      xpub: `xpub6${rng.chars(BASE58, 106)}`,
      derivationPath: `m/44'/${COIN_TYPES[chain] ?? 60}'/${Math.floor(index / CHAINS.length)}'`,
      nextIndex: addresses.length,
      addresses,
      ...(quirk === 'missing_timestamps'
        ? {}
        : { createdAt: new Date(createdMs), updatedAt: new Date(lastMs) }),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
