import { userPasskeys, userRefreshTokens, users } from '../../db/schema/index.js';
import type { CollectionSpec } from '../spec.js';
import { mapUser } from './map.js';
import { unmapUser } from './unmap.js';

/**
 * users: the FK hub (plan Phase 3). `referredBy` is a self reference, so it is deferred to the link
 * pass; `level` matches `level_configs.level` by value, enforced by the FK, not looked up in id_map.
 */
export const usersSpec: CollectionSpec = {
  collection: 'users',
  phase: 3,
  table: users,
  children: {
    user_passkeys: { table: userPasskeys, ownerKey: 'userId' },
    user_refresh_tokens: { table: userRefreshTokens, ownerKey: 'userId' },
  },
  references: [
    { path: 'referredBy', parent: 'users', deferred: true, column: 'referred_by_id' },
    { path: 'level', parent: 'levelconfigs', byValue: { column: 'level' } },
  ],
  map: mapUser,
  unmap: unmapUser,
};
