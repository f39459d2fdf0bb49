import { Schema } from 'mongoose';
import { POINT_TRANSACTION_TYPES } from '../../legacy/enums.js';

export { POINT_TRANSACTION_TYPES };

/** Append-only: a createdAt, never an updatedAt. */
export const pointTransactionSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    type: { type: String, enum: POINT_TRANSACTION_TYPES },
    points: { type: Number, required: true }, // signed
    balanceAfter: Number,
    referenceType: String,
    // Polymorphic: what it names depends on referenceType (an ObjectId of some collection, or a string).
    referenceId: Schema.Types.Mixed,
    metadata: Schema.Types.Mixed,
  },
  { collection: 'pointtransactions', timestamps: { createdAt: true, updatedAt: false } },
);
