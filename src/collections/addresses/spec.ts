import { addresses } from '../../db/schema/index.js';
import type { CollectionSpec } from '../spec.js';
import { mapAddress } from './map.js';
import { unmapAddress } from './unmap.js';

/** addresses: the pilot (plan Phase 1). Every address belongs to a user that must already be migrated. */
export const addressesSpec: CollectionSpec = {
  collection: 'addresses',
  phase: 1,
  table: addresses,
  references: [{ path: 'userId', parent: 'users' }],
  uniqueFlags: [{ constraint: 'addresses_one_primary_per_user_uq', flag: 'primary', scope: 'userId' }],
  map: mapAddress,
  unmap: unmapAddress,
};
