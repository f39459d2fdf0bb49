import type { Shape } from '../mapping/index.js';

/** Every field the PurchaseRequest model declares (legacy-schema.md); anything else goes to `legacy_extra`. */
export const PURCHASE_REQUEST_SHAPE: Shape = {
  buyerId: true,
  title: true,
  description: true,
  categoryId: true,
  quantity: true,
  budget: { amount: true, currency: true },
  status: true,
  // Mapped to the junction (link pass) and to pr_preferred_sellers.
  offers: true,
  preferredSellerIds: true,
  acceptedOfferId: true,
  // Mapped to 1:1 child tables; undeclared keys inside them land in the request's legacy_extra.
  deliveryInfo: {
    method: true,
    addressId: true,
    carrier: true,
    trackingNumber: true,
    shippedAt: true,
    deliveredAt: true,
    notes: true,
  },
  serviceInfo: { scheduledAt: true, durationMinutes: true, location: true, remote: true },
  expiresAt: true,
};
