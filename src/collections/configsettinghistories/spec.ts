import { configSettingHistories } from '../../db/schema/index.js';
import type { CollectionSpec } from '../spec.js';
import { mapConfigSettingHistory } from './map.js';
import { unmapConfigSettingHistory } from './unmap.js';

/**
 * configsettinghistories: append-only (no updatedAt). `settingId` is an ObjectId OR the key string of a
 * pre-2024 setting; for this field a non-hex string is a legacy id (the parent's string `_id`), not an
 * invalid reference; see map.ts.
 */
export const configSettingHistoriesSpec: CollectionSpec = {
  collection: 'configsettinghistories',
  phase: 2,
  table: configSettingHistories,
  references: [
    { path: 'settingId', parent: 'configsettings' },
    { path: 'changedBy', parent: 'users' },
  ],
  map: mapConfigSettingHistory,
  unmap: unmapConfigSettingHistory,
};
