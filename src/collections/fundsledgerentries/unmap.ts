import {
  decimalValue,
  documentOf,
  idValue,
  mixed,
  mixedRefValue,
  refValue,
  type Unmapper,
} from '../unmapping.js';

/**
 * funds_ledger_entries row → document. `amount` (signed) comes back as Decimal128 whatever the source
 * held (beyond 34 digits, the exact numeric string: unmapping.ts decimalValue); `metadata` is Mixed,
 * kept verbatim. Append-only: `updatedAt` is absent, as the row's NULL says.
 */
export const unmapFundsLedgerEntry: Unmapper = (stored, legacyIdOf) => {
  const { row } = stored;
  return documentOf(
    {
      _id: idValue(stored.legacyId),
      purchaseRequestId: mixedRefValue(row, 'purchaseRequest', legacyIdOf),
      paymentId: mixedRefValue(row, 'payment', legacyIdOf),
      userId: refValue(row.userId, legacyIdOf),
      type: row.type,
      amount: decimalValue(row.amount),
      currency: row.currency,
      idempotencyKey: row.idempotencyKey,
      description: row.description,
      metadata: mixed(row.metadata),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
