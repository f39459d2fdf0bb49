import { fundsLedgerEntryType, type fundsLedgerEntries } from '../../db/schema/fundsLedgerEntries.js';
import {
  MapBuilder,
  mixedJson,
  optionalString,
  requiredMoney,
  type MainRow,
  type Shape,
} from '../mapping/index.js';
import { mixedRef } from '../mapping/mixed.js';
import { optionalEnum } from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const LEDGER_ENTRY_SHAPE: Shape = {
  purchaseRequestId: true,
  paymentId: true,
  userId: true,
  type: true,
  amount: true,
  currency: true,
  idempotencyKey: true,
  description: true,
  metadata: true,
};

/**
 * A fundsledgerentries document → funds_ledger_entries row. `amount` is signed money (debits are
 * negative) and required. Entries are append-only: the source has no updatedAt, so `updated_at` is NULL
 * (commonColumns copies what is there, and nothing is). A repeated `idempotencyKey` maps fine and is
 * refused by funds_ledger_entries_idempotency_key_uq (constraint_violation).
 */
export function mapFundsLedgerEntry(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const row: MainRow<typeof fundsLedgerEntries> = {
    ...b.commonColumns(doc, LEDGER_ENTRY_SHAPE),
    ...mixedRef(b, ctx, 'purchaseRequest', doc.purchaseRequestId, {
      field: 'purchaseRequestId',
      parent: 'purchaserequests',
    }),
    ...mixedRef(b, ctx, 'payment', doc.paymentId, { field: 'paymentId', parent: 'payments' }),
    userId: b.requiredRef(doc.userId, { field: 'userId', parent: 'users' }),
    type: b.read(optionalEnum(doc.type, 'type', fundsLedgerEntryType.enumValues)),
    amount: b.read(requiredMoney(doc.amount, 'amount')),
    currency: b.read(optionalString(doc.currency, 'currency')),
    idempotencyKey: b.read(optionalString(doc.idempotencyKey, 'idempotencyKey')),
    description: b.read(optionalString(doc.description, 'description')),
    metadata: b.read(mixedJson(doc.metadata, 'metadata')),
  };
  return b.finish(row);
}
