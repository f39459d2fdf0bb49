import { trezorAccountAddresses, trezorAccounts } from '../../db/schema/trezorAccounts.js';
import type { CollectionSpec } from '../spec.js';
import { mapTrezorAccount } from './map.js';
import { unmapTrezorAccount } from './unmap.js';

/** trezoraccounts: hardware-wallet accounts and the addresses derived from them (plan Phase 4). */
export const trezorAccountsSpec: CollectionSpec = {
  collection: 'trezoraccounts',
  phase: 4,
  table: trezorAccounts,
  children: {
    trezor_account_addresses: { table: trezorAccountAddresses, ownerKey: 'accountId' },
  },
  references: [{ path: 'addresses.destinationId', parent: 'deriveddestinations' }],
  map: mapTrezorAccount,
  unmap: unmapTrezorAccount,
};
