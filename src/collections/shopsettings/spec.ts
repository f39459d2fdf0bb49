import { shopSettings } from '../../db/schema/index.js';
import type { CollectionSpec } from '../spec.js';
import { mapShopSettings } from './map.js';
import { unmapShopSettings } from './unmap.js';

/** shopsettings: one per seller (plan Phase 2). */
export const shopSettingsSpec: CollectionSpec = {
  collection: 'shopsettings',
  phase: 2,
  table: shopSettings,
  references: [{ path: 'sellerId', parent: 'users' }],
  map: mapShopSettings,
  unmap: unmapShopSettings,
};
