import { Schema } from 'mongoose';

/** As found in production (legacy-schema.md); the contract states no default. */
export const SELLER_OFFER_STATUSES = ['pending', 'accepted', 'rejected', 'withdrawn', 'expired'] as const;

export const sellerOfferSchema = new Schema(
  {
    purchaseRequestId: { type: Schema.Types.ObjectId, ref: 'PurchaseRequest', index: true },
    sellerId: { type: Schema.Types.ObjectId, ref: 'User', index: true },
    // `currency` has no enum in the legacy model: any string was accepted.
    price: { amount: Schema.Types.Decimal128, currency: String },
    message: String,
    deliveryDays: Number,
    status: { type: String, enum: SELLER_OFFER_STATUSES },
  },
  { collection: 'selleroffers', timestamps: true },
);
