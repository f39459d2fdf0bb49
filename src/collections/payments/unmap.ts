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
 * payments row → document. `amount.value` comes back as Decimal128 (also for old rows that held a double
 * or a numeric string: the mapper kept only the exact value). `blockchain` and `metadata` are Mixed,
 * kept verbatim (nulls and empty objects inside them included).
 */
export const unmapPayment: Unmapper = (stored, legacyIdOf) => {
  const { row } = stored;
  return documentOf(
    {
      _id: idValue(stored.legacyId),
      purchaseRequestId: mixedRefValue(row, 'purchaseRequest', legacyIdOf),
      sellerOfferId: mixedRefValue(row, 'sellerOffer', legacyIdOf),
      buyerId: refValue(row.buyerId, legacyIdOf),
      sellerId: mixedRefValue(row, 'seller', legacyIdOf),
      amount: { value: decimalValue(row.amount), currency: row.currency },
      provider: row.provider,
      direction: row.direction,
      status: row.status,
      escrowState: row.escrowState,
      providerPaymentId: row.providerPaymentId,
      blockchain: mixed(row.blockchain),
      metadata: mixed(row.metadata),
      isRefunded: row.isRefunded,
      completedAt: row.completedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
