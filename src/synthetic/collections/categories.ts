import type { CollectionGenerator } from '../generator.js';
import type { SeedPlan } from '../plan.js';
import { dangling, MIGRATED, rejected } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';

const NAME = 'categories';

/**
 * The parent of category `index`: an earlier category (no cycles) that will migrate, or undefined for a
 * root (`forceParent`: never a root unless no candidate). A category the migration rejects is skipped, or its children would dangle without a label.
 */
function parentOf(plan: SeedPlan, index: number, forceParent = false): number | undefined {
  const rng = plan.rng(NAME, index, 'parent');
  const root = rng.chance(0.2);
  if (index === 0 || (root && !forceParent)) return undefined;
  for (let candidate = rng.int(index); candidate >= 0; candidate--) {
    if (!plan.isRejected(NAME, candidate)) return candidate;
  }
  return undefined;
}

export const categories: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_parent: dangling, // deferred self reference to a hard-deleted category: FK NULL + anomaly
    string_hex_parent: MIGRATED, // parentId a 24-hex string of a real category: read as that ObjectId
    non_id_parent: rejected('invalid_reference'), // parentId a string that is not an id (plan §4.3)
    template_parent: rejected('invalid_reference'), // parentId a `tmpl_…` string
    numeric_parent: rejected('invalid_reference'), // parentId of another type
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [{ key: { slug: 1 }, unique: true }],
  // The catalogue is built early and grows slowly.
  window: (epoch) => ({ startMs: epoch.startMs + 3_600_000, endMs: epoch.endMs }),
  eligible: (plan, index, kind) => kind !== 'string_hex_parent' || parentOf(plan, index, true) !== undefined,

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const base = rng.pick(text.CATEGORY_NAMES);
    const parent = parentOf(plan, index, quirk === 'string_hex_parent');
    const parentOid = parent === undefined ? undefined : plan.idOf(NAME, parent);
    const parentId =
      quirk === 'orphan_parent'
        ? plan.orphanIdFor(NAME, index, createdMs)
        : quirk === 'string_hex_parent'
          ? parentOid?.toHexString()
          : quirk === 'non_id_parent'
            ? text.slugify(rng.pick(text.CATEGORY_NAMES))
            : quirk === 'template_parent'
              ? `tmpl_${rng.hex(6)}`
              : quirk === 'numeric_parent'
                ? rng.between(1, 500)
                : parentOid;
    const name =
      quirk === 'emoji_text'
        ? rng.pick(text.EMOJI_TEXTS)
        : quirk === 'rtl_text'
          ? rng.pick(text.RTL_TEXTS)
          : quirk === 'long_text'
            ? text.longText(rng)
            : base;
    const deleted = rng.chance(0.05);

    const doc = {
      _id: plan.idOf(NAME, index),
      name,
      ...(rng.chance(0.7) ? { nameEn: base } : {}),
      // The index suffix keeps slugs unique, as the production slugger does on collisions.
      slug: `${text.slugify(base)}-${index.toString(36)}`,
      // Roots: Mixed keeps whatever was written, null by the admin UI, absent by the first seed script.
      ...(parentId !== undefined ? { parentId } : rng.chance(0.5) ? { parentId: null } : {}),
      isActive: !deleted && rng.chance(0.92),
      sortOrder: rng.int(100),
      ...(deleted
        ? { deletedAt: new Date(createdMs + rng.int(Math.max(1, plan.epoch.endMs - createdMs))) }
        : {}),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
