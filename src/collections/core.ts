import { addressesSpec } from './addresses/spec.js';
import { categoriesSpec } from './categories/spec.js';
import { configSettingHistoriesSpec } from './configsettinghistories/spec.js';
import { configSettingsSpec } from './configsettings/spec.js';
import { levelConfigsSpec } from './levelconfigs/spec.js';
import type { CollectionSpec } from './spec.js';
import { shopSettingsSpec } from './shopsettings/spec.js';
import { usersSpec } from './users/spec.js';

/**
 * The relational core strangler migrates (legacy-schema.md "Migrated"). Order here is only for reading:
 * the registry derives the backfill order from `references`.
 */
export const CORE_SPECS: readonly CollectionSpec[] = [
  levelConfigsSpec,
  usersSpec,
  addressesSpec,
  categoriesSpec,
  configSettingsSpec,
  configSettingHistoriesSpec,
  shopSettingsSpec,
];
