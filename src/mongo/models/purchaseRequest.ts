// eslint-disable-next-line @typescript-eslint/no-unused-vars -- in scope so declaration emit can name it (TS4023)
import type { bsonType } from 'bson';
import { Schema } from 'mongoose';
import { PURCHASE_REQUEST_STATUSES, BUDGET_CURRENCIES, DELIVERY_METHODS } from '../../legacy/enums.js';

export { PURCHASE_REQUEST_STATUSES, BUDGET_CURRENCIES, DELIVERY_METHODS };

export const purchaseRequestSchema = new Schema(
  {
    buyerId: { type: Schema.Types.ObjectId, ref: 'User', index: true },
    title: String,
    description: String,
    categoryId: { type: Schema.Types.ObjectId, ref: 'Category' },
    quantity: Number,
    budget: {
      amount: Schema.Types.Decimal128,
      currency: { type: String, enum: BUDGET_CURRENCIES },
    },
    status: { type: String, enum: PURCHASE_REQUEST_STATUSES },
    // Denormalised: `$push`ed on every offer, never de-duplicated, so an id may repeat.
    offers: [{ type: Schema.Types.ObjectId, ref: 'SellerOffer' }],
    preferredSellerIds: [{ type: Schema.Types.ObjectId, ref: 'User' }],
    acceptedOfferId: { type: Schema.Types.ObjectId, ref: 'SellerOffer' },
    deliveryInfo: {
      method: { type: String, enum: DELIVERY_METHODS },
      addressId: { type: Schema.Types.ObjectId, ref: 'Address' },
      carrier: String,
      trackingNumber: String,
      shippedAt: Date,
      deliveredAt: Date,
      notes: String,
    },
    serviceInfo: {
      scheduledAt: Date,
      durationMinutes: Number,
      location: String,
      remote: Boolean,
    },
    expiresAt: Date,
  },
  { collection: 'purchaserequests', timestamps: true },
);
