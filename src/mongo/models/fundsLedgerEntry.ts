import { Schema } from 'mongoose';

/** Every entry type found in production (legacy-schema.md); none is a default. */
export const FUNDS_LEDGER_ENTRY_TYPES = [
  'escrow_hold',
  'escrow_release',
  'refund',
  'aml_fee',
  'platform_fee',
  'payout',
  'adjustment',
] as const;

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
