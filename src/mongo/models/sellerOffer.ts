// eslint-disable-next-line @typescript-eslint/no-unused-vars -- in scope so declaration emit can name it (TS4023)
import type { bsonType } from 'bson';
import { Schema } from 'mongoose';
import { SELLER_OFFER_STATUSES } from '../../legacy/enums.js';

export { SELLER_OFFER_STATUSES };

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
