import type { Shape } from '../mapping/index.js';

/** Every field the Dispute model declares (legacy-schema.md); anything else goes to `legacy_extra`. */
export const DISPUTE_SHAPE: Shape = {
  purchaseRequestId: true,
  paymentId: true,
  openedBy: true,
  againstUserId: true,
  reason: true,
  status: true,
  // Mapped to child tables; their elements have shapes of their own.
  evidence: true,
  timeline: true,
  chatId: true,
  resolution: { outcome: true, refundAmount: true, resolvedBy: true, resolvedAt: true, notes: true },
  releaseHold: true,
};

export const EVIDENCE_SHAPE: Shape = {
  uploadedBy: true,
  type: true,
  url: true,
  description: true,
  createdAt: true,
};

export const TIMELINE_SHAPE: Shape = {
  at: true,
  actor: true,
  action: true,
  fromStatus: true,
  toStatus: true,
  note: true,
};
