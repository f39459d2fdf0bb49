// eslint-disable-next-line @typescript-eslint/no-unused-vars -- in scope so declaration emit can name it (TS4023)
import type { bsonType } from 'bson';
import { Schema } from 'mongoose';
import { DESTINATION_CHAINS, DERIVED_DESTINATION_STATUSES } from '../../legacy/enums.js';

export { DESTINATION_CHAINS, DERIVED_DESTINATION_STATUSES };

const sweepSchema = new Schema({
  txHash: String,
  amount: Schema.Types.Decimal128,
  sweptAt: Date,
  status: String,
});

export const derivedDestinationSchema = new Schema(
  {
    buyerId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    sellerId: Schema.Types.Mixed, // an ObjectId → users, or a string
    chain: { type: String, enum: DESTINATION_CHAINS, required: true },
    // Allocated per (buyerId, chain) with an atomic `$inc` on the legacy side (plan §4.5).
    derivationIndex: { type: Number, required: true },
    address: { type: String, unique: true },
    paymentId: Schema.Types.Mixed, // an ObjectId → payments, or a string
    status: { type: String, enum: DERIVED_DESTINATION_STATUSES },
    sweepHistory: [sweepSchema],
  },
  { collection: 'deriveddestinations', timestamps: true },
);

// Keyed on the raw Mixed sellerId; a destination without a seller indexes sellerId as null.
derivedDestinationSchema.index(
  { buyerId: 1, sellerId: 1, chain: 1 },
  { name: 'uniq_destination_by_buyer_seller_chain', unique: true },
);
