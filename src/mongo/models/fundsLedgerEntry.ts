// eslint-disable-next-line @typescript-eslint/no-unused-vars -- in scope so declaration emit can name it (TS4023)
import type { bsonType } from 'bson';
import { Schema } from 'mongoose';
import { FUNDS_LEDGER_ENTRY_TYPES } from '../../legacy/enums.js';

export { FUNDS_LEDGER_ENTRY_TYPES };

/** Append-only: entries are written once, so there is a createdAt and never an updatedAt. */
export const fundsLedgerEntrySchema = new Schema(
  {
    purchaseRequestId: Schema.Types.Mixed, // an ObjectId → purchaserequests, or a template string
    paymentId: Schema.Types.Mixed, // an ObjectId → payments, or a string
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    type: { type: String, enum: FUNDS_LEDGER_ENTRY_TYPES },
    amount: { type: Schema.Types.Decimal128, required: true }, // signed: debits are negative
    currency: String,
    // Unique but sparse: only writes that must not repeat (webhooks, fee inserts) carry a key.
    idempotencyKey: { type: String, unique: true, sparse: true },
    description: String,
    metadata: Schema.Types.Mixed,
  },
  { collection: 'fundsledgerentries', timestamps: { createdAt: true, updatedAt: false } },
);
