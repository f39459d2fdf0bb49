import { decimalValue, documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/** seller_offers row → document: `price` rebuilt as { amount: Decimal128, currency }. */
export const unmapSellerOffer: Unmapper = (stored, legacyIdOf) => {
  const { row } = stored;
  return documentOf(
    {
      _id: idValue(stored.legacyId),
      purchaseRequestId: refValue(row.purchaseRequestId, legacyIdOf),
      sellerId: refValue(row.sellerId, legacyIdOf),
      price: { amount: decimalValue(row.priceAmount), currency: row.priceCurrency },
      message: row.message,
      deliveryDays: row.deliveryDays,
      status: row.status,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
