import { fundsLedgerEntries } from '../../db/schema/fundsLedgerEntries.js';
import type { CollectionSpec } from '../spec.js';
import { mapFundsLedgerEntry } from './map.js';
import { unmapFundsLedgerEntry } from './unmap.js';

/** fundsledgerentries: the append-only money ledger (plan Phase 4); its sums are checked exactly. */
export const fundsLedgerEntriesSpec: CollectionSpec = {
  collection: 'fundsledgerentries',
  phase: 4,
  table: fundsLedgerEntries,
  references: [
    { path: 'purchaseRequestId', parent: 'purchaserequests' },
    { path: 'paymentId', parent: 'payments' },
    { path: 'userId', parent: 'users' },
  ],
  moneyFields: ['amount'],
  map: mapFundsLedgerEntry,
  unmap: unmapFundsLedgerEntry,
};
