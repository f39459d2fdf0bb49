import { configSettings } from '../../db/schema/index.js';
import type { CollectionSpec } from '../spec.js';
import { mapConfigSetting } from './map.js';
import { unmapConfigSetting } from './unmap.js';

/**
 * configsettings: `_id` is an ObjectId on new rows and the key string on rows created before 2024; both
 * become `legacy_object_id` as they are (legacyIdOf), so histories can find either kind.
 */
export const configSettingsSpec: CollectionSpec = {
  collection: 'configsettings',
  phase: 2,
  table: configSettings,
  references: [{ path: 'updatedBy', parent: 'users' }],
  map: mapConfigSetting,
  unmap: unmapConfigSetting,
};
