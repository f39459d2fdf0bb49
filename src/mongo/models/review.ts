import { Schema } from 'mongoose';

export const reviewSchema = new Schema(
  {
    reviewerId: { type: Schema.Types.ObjectId, ref: 'User', index: true },
    revieweeId: { type: Schema.Types.ObjectId, ref: 'User', index: true },
    purchaseRequestId: { type: Schema.Types.ObjectId, ref: 'PurchaseRequest' },
    // Validated on save only: documents written by `updateOne` or before the validator can hold anything.
    rating: { type: Number, min: 1, max: 5 },
    comment: String,
  },
  { collection: 'reviews', timestamps: true },
);
