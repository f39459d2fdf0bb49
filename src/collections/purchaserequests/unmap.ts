import {
  atOrdinals,
  decimalValue,
  documentOf,
  idValue,
  present,
  refValue,
  type Unmapper,
} from '../unmapping.js';
import { OFFERS_JUNCTION } from './offers.js';

/**
 * purchase_requests row + children + junction → document. `offers` comes from the junction (ObjectIds,
 * in legacy-id order: the junction keeps neither the array's order nor its repeats), `acceptedOfferId`
 * from the deferred FK column, `preferredSellerIds` from pr_preferred_sellers at their ordinals (the
 * elements the mapper skipped, nulls, repeats and users that are gone, as null). A pr_delivery_info /
 * pr_service_info row means the sub-document was there, even with every field NULL, so it comes back
 * (`present`), as `{}` then. The arrays always come back: the model declares them, so Mongoose always
 * writes them, [] included.
 */
export const unmapPurchaseRequest: Unmapper = (stored, legacyIdOf) => {
  const { row, children, junctions } = stored;
  const delivery = children.pr_delivery_info?.[0];
  const service = children.pr_service_info?.[0];
  return documentOf(
    {
      _id: idValue(stored.legacyId),
      buyerId: refValue(row.buyerId, legacyIdOf),
      title: row.title,
      description: row.description,
      categoryId: refValue(row.categoryId, legacyIdOf),
      quantity: row.quantity,
      budget: { amount: decimalValue(row.budgetAmount), currency: row.budgetCurrency },
      status: row.status,
      offers: (junctions[OFFERS_JUNCTION] ?? []).map((legacyId) => idValue(legacyId)),
      acceptedOfferId: refValue(row.acceptedOfferId, legacyIdOf),
      preferredSellerIds: atOrdinals(children.pr_preferred_sellers ?? [], (seller) =>
        refValue(seller.userId, legacyIdOf),
      ),
      deliveryInfo:
        delivery &&
        present({
          method: delivery.method,
          addressId: refValue(delivery.addressId, legacyIdOf),
          carrier: delivery.carrier,
          trackingNumber: delivery.trackingNumber,
          shippedAt: delivery.shippedAt,
          deliveredAt: delivery.deliveredAt,
          notes: delivery.notes,
        }),
      serviceInfo:
        service &&
        present({
          scheduledAt: service.scheduledAt,
          durationMinutes: service.durationMinutes,
          location: service.location,
          remote: service.remote,
        }),
      expiresAt: row.expiresAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
