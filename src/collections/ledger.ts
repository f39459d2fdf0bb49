import { derivedDestinationsSpec } from './deriveddestinations/spec.js';
import { fundsLedgerEntriesSpec } from './fundsledgerentries/spec.js';
import { paymentsSpec } from './payments/spec.js';
import { pointTransactionsSpec } from './pointtransactions/spec.js';
import type { CollectionSpec } from './spec.js';
import { trezorAccountsSpec } from './trezoraccounts/spec.js';

/**
 * The money core of plan Phase 4 beside purchaserequests/selleroffers. Order here is only for reading:
 * the registry derives the backfill order from `references`.
 */
export const LEDGER_SPECS: readonly CollectionSpec[] = [
  paymentsSpec,
  fundsLedgerEntriesSpec,
  derivedDestinationsSpec,
  trezorAccountsSpec,
  pointTransactionsSpec,
];
