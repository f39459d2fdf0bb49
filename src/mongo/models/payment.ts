// eslint-disable-next-line @typescript-eslint/no-unused-vars -- in scope so declaration emit can name it (TS4023)
import type { bsonType } from 'bson';
import { Schema } from 'mongoose';
import {
  PAYMENT_PROVIDERS,
  PAYMENT_DIRECTIONS,
  PAYMENT_STATUSES,
  ESCROW_STATES,
} from '../../legacy/enums.js';

export { PAYMENT_PROVIDERS, PAYMENT_DIRECTIONS, PAYMENT_STATUSES, ESCROW_STATES };

export const paymentSchema = new Schema(
  {
    // Mixed: an ObjectId → purchaserequests, or a `tmpl_…` string for template checkout.
    purchaseRequestId: Schema.Types.Mixed,
    sellerOfferId: Schema.Types.Mixed, // an ObjectId → selleroffers, or a string
    buyerId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    sellerId: Schema.Types.Mixed, // an ObjectId → users, or a string
    amount: {
      // Decimal128 today; older rows hold a double or a numeric string (raw writes, before the cast).
      value: { type: Schema.Types.Decimal128, required: true },
      currency: { type: String, default: 'USDT' },
    },
    provider: { type: String, enum: PAYMENT_PROVIDERS, default: 'request.network' },
    direction: { type: String, enum: PAYMENT_DIRECTIONS, default: 'in' },
    status: { type: String, enum: PAYMENT_STATUSES, default: 'pending' },
    escrowState: { type: String, enum: ESCROW_STATES },
    providerPaymentId: { type: String, index: true },
    blockchain: {
      network: String,
      transactionHash: String,
      fromAddress: String,
      toAddress: String,
      confirmations: Number,
      blockNumber: Number,
    },
    metadata: Schema.Types.Mixed, // provider specific
    isRefunded: Boolean,
    completedAt: Date,
  },
  { collection: 'payments', timestamps: true },
);

paymentSchema.index({ status: 1, createdAt: 1 });
paymentSchema.index({ buyerId: 1, status: 1 });
paymentSchema.index({ sellerId: 1, status: 1 });
// Checkout idempotency: one pending request.network payment per buyer, session (request) and offer. Keys
// are the raw Mixed values, and a missing key indexes as null (so two "no offer" payments collide).
paymentSchema.index(
  { buyerId: 1, purchaseRequestId: 1, sellerOfferId: 1, provider: 1, direction: 1 },
  {
    name: 'uniq_pending_request_network_by_buyer_session_offer',
    unique: true,
    partialFilterExpression: { provider: 'request.network', direction: 'in', status: 'pending' },
  },
);
