import { bigserial, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns, tstz } from './columns.js';
import { derivedDestinations } from './derivedDestinations.js';

/** `trezoraccounts`: one hardware-wallet account (xpub) per row; `chain` was never an enum here. */
export const trezorAccounts = pgTable(
  'trezor_accounts',
  {
    ...legacyColumns(),
    label: text('label'),
    chain: text('chain'),
    xpub: text('xpub'),
    derivationPath: text('derivation_path'),
    nextIndex: integer('next_index'),
  },
  (t) => [
    uniqueIndex('trezor_accounts_legacy_object_id_uq').on(t.legacyObjectId),
    uniqueIndex('trezor_accounts_xpub_uq').on(t.xpub),
  ],
);

/** `trezoraccounts.addresses[]`, in source order; each may point at the destination it serves. */
export const trezorAccountAddresses = pgTable(
  'trezor_account_addresses',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: uuid('account_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => trezorAccounts.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    index: integer('index'),
    address: text('address'),
    destinationId: uuid('destination_id')
      .$type<PgUuid>()
      .references(() => derivedDestinations.id),
    createdAt: tstz('created_at'),
    legacyExtra: jsonb('legacy_extra'),
  },
  (t) => [
    uniqueIndex('trezor_account_addresses_account_ordinal_uq').on(t.accountId, t.ordinal),
    index('trezor_account_addresses_address_idx').on(t.address),
    index('trezor_account_addresses_destination_idx').on(t.destinationId),
  ],
);
