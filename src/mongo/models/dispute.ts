// eslint-disable-next-line @typescript-eslint/no-unused-vars -- in scope so declaration emit can name it (TS4023)
import type { bsonType } from 'bson';
import { Schema, type HydratedDocument } from 'mongoose';
import { DISPUTE_REASONS, DISPUTE_STATUSES, EVIDENCE_TYPES } from '../../legacy/enums.js';

export { DISPUTE_REASONS, DISPUTE_STATUSES, EVIDENCE_TYPES };

const evidenceSchema = new Schema({
  uploadedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  type: { type: String, enum: EVIDENCE_TYPES },
  url: String,
  description: String,
  createdAt: { type: Date, default: Date.now },
});

const timelineSchema = new Schema({
  at: { type: Date, default: Date.now },
  actor: { type: Schema.Types.ObjectId, ref: 'User', default: null }, // null: the system
  action: String,
  fromStatus: String,
  toStatus: String,
  note: String,
});

export const disputeSchema = new Schema(
  {
    purchaseRequestId: { type: Schema.Types.ObjectId, ref: 'PurchaseRequest', index: true },
    paymentId: { type: Schema.Types.ObjectId, ref: 'Payment' },
    openedBy: { type: Schema.Types.ObjectId, ref: 'User' },
    againstUserId: { type: Schema.Types.ObjectId, ref: 'User' },
    reason: { type: String, enum: DISPUTE_REASONS },
    status: { type: String, enum: DISPUTE_STATUSES },
    evidence: [evidenceSchema],
    timeline: [timelineSchema],
    chatId: { type: Schema.Types.ObjectId, ref: 'Chat' }, // Chat stays on Mongo
    resolution: {
      outcome: String,
      refundAmount: Schema.Types.Decimal128,
      resolvedBy: { type: Schema.Types.ObjectId, ref: 'User' },
      resolvedAt: Date,
      notes: String,
    },
    releaseHold: Boolean,
  },
  { collection: 'disputes', timestamps: true },
);

type DisputeDoc = HydratedDocument<{ status?: string | null; timeline: unknown[] }>;

/** The status a document had when it was loaded: Mongoose keeps no old value of a modified path. */
disputeSchema.post('init', function rememberStatus(this: DisputeDoc) {
  this.$locals.loadedStatus = this.status ?? null;
});

/**
 * The legacy timeline hook: every save that changes `status` (creation included) appends a system
 * entry. Only `save()` runs it, so disputes changed by `updateOne` have gaps in their timeline.
 */
disputeSchema.pre('save', function appendStatusChange(this: DisputeDoc) {
  if (!this.isNew && !this.isModified('status')) return;
  const fromStatus = this.isNew ? null : ((this.$locals.loadedStatus as string | null | undefined) ?? null);
  const toStatus = this.status ?? null;
  if (fromStatus === toStatus) return;
  this.timeline.push({ at: new Date(), actor: null, action: 'status_change', fromStatus, toStatus });
  this.$locals.loadedStatus = toStatus;
});
