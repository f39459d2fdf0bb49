import { sql } from 'drizzle-orm';
import { index, jsonb, numeric, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns } from './columns.js';
import { payments } from './payments.js';
import { purchaseRequests } from './purchaseRequests.js';
import { mixedRefCheck, mixedRefColumns } from './refKind.js';
import { users } from './users.js';
import { FUNDS_LEDGER_ENTRY_TYPES } from '../../legacy/enums.js';

export const fundsLedgerEntryType = pgEnum('funds_ledger_entry_type', FUNDS_LEDGER_ENTRY_TYPES);

/**
 * `fundsledgerentries`: append-only, so `updated_at` stays NULL (the source has no updatedAt). `amount`
 * is signed: debits are negative.
 */
export const fundsLedgerEntries = pgTable(
  'funds_ledger_entries',
  {
    ...legacyColumns(),
    ...mixedRefColumns('purchase_request', () => purchaseRequests.id),
    ...mixedRefColumns('payment', () => payments.id),
    userId: uuid('user_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    type: fundsLedgerEntryType('type'),
    amount: numeric('amount', { precision: 38, scale: 18, mode: 'string' }).notNull(),
    currency: text('currency'),
    idempotencyKey: text('idempotency_key'),
    description: text('description'),
    metadata: jsonb('metadata'),
  },
  (t) => [
    uniqueIndex('funds_ledger_entries_legacy_object_id_uq').on(t.legacyObjectId),
    mixedRefCheck(t, 'purchase_request'),
    mixedRefCheck(t, 'payment'),
    // Mongo's unique *sparse* index (plan §4.1): entries without a key may repeat, keyed ones may not.
    uniqueIndex('funds_ledger_entries_idempotency_key_uq')
      .on(t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
    index('funds_ledger_entries_user_idx').on(t.userId),
    index('funds_ledger_entries_purchase_request_idx').on(t.purchaseRequestId),
    index('funds_ledger_entries_payment_idx').on(t.paymentId),
  ],
);
