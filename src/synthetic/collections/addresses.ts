import type { Document } from 'mongodb';
import type { CollectionGenerator } from '../generator.js';
import type { SeedPlan } from '../plan.js';
import { demotedFlag, MIGRATED, rejected } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';

const NAME = 'addresses';
const HOUR_MS = 3_600_000;

/**
 * Ownership without a lookup table: the addresses are cut into contiguous runs, one run per migrating
 * user in order, so address `index` belongs to user position floor(index · users / addresses) and a
 * user's addresses are adjacent in `_id` order. The first address of a run is the primary one (mostly).
 */
function ownerPosition(plan: SeedPlan, index: number): number {
  return Math.floor((index * plan.population.users.length) / plan.count(NAME));
}

function firstOfRun(plan: SeedPlan, position: number): number {
  return Math.ceil((position * plan.count(NAME)) / plan.population.users.length);
}

function isPrimary(plan: SeedPlan, index: number): boolean {
  return (
    firstOfRun(plan, ownerPosition(plan, index)) === index && plan.rng(NAME, index, 'primary').chance(0.95)
  );
}

/**
 * A second `primary: true` for a user (the pre-save hook race) must follow a first primary that will
 * migrate, or it would be the first one and migrate itself. Looks back over a few runs for a primary
 * first address without a quirk; returns the run's position.
 */
function racedRun(plan: SeedPlan, index: number): number | undefined {
  const own = ownerPosition(plan, index);
  for (let position = own; position >= Math.max(0, own - 4); position--) {
    const first = firstOfRun(plan, position);
    // An empty run (fewer addresses than users) starts where the next one does: its user has none.
    if (ownerPosition(plan, first) !== position) continue;
    if (first < index && isPrimary(plan, first) && plan.quirkAt(NAME, first) === undefined) return position;
  }
  return undefined;
}

export const addresses: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_user: rejected('orphan_reference'), // required reference to a hard-deleted user
    string_hex_id: MIGRATED, // userId as a 24-hex string of a real user: read as the ObjectId it spells
    missing_user_id: rejected('missing_field'),
    null_user_id: rejected('missing_field'),
    duplicate_primary: demotedFlag, // the later of two primaries, by _id: migrated with primary = false
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [],
  // Just after their users: addresses are spread over the same years.
  window: (epoch) => ({ startMs: epoch.startMs + 31 * 24 * HOUR_MS, endMs: epoch.endMs + HOUR_MS }),
  cap: (population) => (population.users.length > 0 ? Number.MAX_SAFE_INTEGER : 0),
  eligible: (plan, index, kind) => kind !== 'duplicate_primary' || racedRun(plan, index) !== undefined,

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const position =
      quirk === 'duplicate_primary' ? (racedRun(plan, index) ?? 0) : ownerPosition(plan, index);
    const owner = plan.idOf('users', plan.population.users[position] ?? 0);
    const userId =
      quirk === 'orphan_user'
        ? plan.orphanIdFor(NAME, index, createdMs)
        : quirk === 'string_hex_id'
          ? owner.toHexString()
          : quirk === 'null_user_id'
            ? null
            : owner;
    const [city, region, country, postal] = rng.pick(text.PLACES);
    const first = rng.pick(text.FIRST_NAMES);
    const last = rng.pick(text.LAST_NAMES);
    const primary = quirk === 'duplicate_primary' || isPrimary(plan, index);

    const doc: Document = {
      _id: plan.idOf(NAME, index),
      ...(quirk === 'missing_user_id' ? {} : { userId }),
      label: quirk === 'emoji_text' ? rng.pick(text.EMOJI_TEXTS) : rng.pick(text.ADDRESS_LABELS),
      fullName:
        quirk === 'rtl_text'
          ? rng.pick(text.RTL_TEXTS)
          : quirk === 'long_text'
            ? text.longText(rng)
            : `${first} ${last}`,
      phone: `+${rng.between(1, 99)} ${rng.between(100, 999)} ${rng.between(1_000_000, 9_999_999)}`,
      line1: `${rng.between(1, 250)} ${rng.pick(text.STREETS)}`,
      ...(rng.chance(0.3) ? { line2: `Apt ${rng.between(1, 120)}` } : {}),
      city,
      ...(region !== city || rng.chance(0.5) ? { region } : {}),
      ...(postal !== '' ? { postalCode: text.postalCode(rng, postal) } : {}),
      country,
      // Old documents predate the field; Mongoose fills the default false on newer ones.
      ...(primary || rng.chance(0.8) ? { primary } : {}),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
