import { addresses } from './collections/addresses.js';
import { categories } from './collections/categories.js';
import { configSettingHistories } from './collections/configSettingHistories.js';
import { configSettings } from './collections/configSettings.js';
import { LEVELS, levelConfigs } from './collections/levelConfigs.js';
import { shopSettings } from './collections/shopSettings.js';
import { users } from './collections/users.js';
import type { CollectionGenerator } from './generator.js';

/**
 * How many documents a collection gets out of `docs`: a fixed number (reference tables), or a share.
 * Shares are production shares of the whole 17-collection schema; the plan normalises them over the
 * collections registered so far, so the total stays ≈ docs and the proportions converge on these numbers
 * as the money core is added.
 */
export type Size = { readonly fixed: (docs: number) => number } | { readonly share: number };

export interface RegistryEntry {
  readonly generator: CollectionGenerator;
  readonly size: Size;
}

/**
 * Every generated collection, parents first (the seeder inserts in this order). The one place that sets
 * proportions; adding a collection is one generator file and one line here.
 *
 * | collection             | size                                  | of 1M docs today | why                          |
 * |------------------------|---------------------------------------|------------------|------------------------------|
 * | levelconfigs           | 10                                    | 10               | one row per level            |
 * | users                  | share 0.30                            | 382,085 (38%)    | the FK hub                   |
 * | configsettings         | clamp(docs/500, 20, 200)              | 200              | 40% pre-2024 string `_id`s   |
 * | configsettinghistories | share 0.03                            | 38,209 (3.8%)    | a few changes per setting    |
 * | categories             | share 0.01                            | 12,736 (1.3%)    | a small tree                 |
 * | addresses              | share 0.40                            | 509,447 (51%)    | ~1.3 per migrating user      |
 * | shopsettings           | share 0.045, ≤ 1 per migrating seller | 57,313 (5.7%)    | 20% sellers, ~75% run a shop |
 */
export const REGISTRY: readonly RegistryEntry[] = [
  { generator: levelConfigs, size: { fixed: () => LEVELS.length } },
  { generator: users, size: { share: 0.3 } },
  {
    generator: configSettings,
    size: { fixed: (docs) => Math.min(200, Math.max(20, Math.round(docs / 500))) },
  },
  { generator: configSettingHistories, size: { share: 0.03 } },
  { generator: categories, size: { share: 0.01 } },
  { generator: addresses, size: { share: 0.4 } },
  { generator: shopSettings, size: { share: 0.045 } },
];
