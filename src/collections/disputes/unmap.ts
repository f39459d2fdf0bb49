import { atOrdinals, decimalValue, documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/**
 * disputes row + evidence + timeline → document. `resolution` is rebuilt from its flattened columns
 * (refundAmount as Decimal128), `chatId` (a cross-store id kept as 24-hex text) as the ObjectId it was.
 * Evidence and timeline elements come back at their ordinals, each with its own legacy_extra (Mongoose's
 * per-element `_id` included); a NULL actor is omitted, which Mongoose reads as its default, null.
 */
export const unmapDispute: Unmapper = (stored, legacyIdOf) => {
  const { row, children } = stored;
  return documentOf(
    {
      _id: idValue(stored.legacyId),
      purchaseRequestId: refValue(row.purchaseRequestId, legacyIdOf),
      paymentId: refValue(row.paymentId, legacyIdOf),
      openedBy: refValue(row.openedById, legacyIdOf),
      againstUserId: refValue(row.againstUserId, legacyIdOf),
      reason: row.reason,
      status: row.status,
      evidence: atOrdinals(children.dispute_evidence ?? [], (e) =>
        documentOf(
          {
            uploadedBy: refValue(e.uploadedById, legacyIdOf),
            type: e.type,
            url: e.url,
            description: e.description,
            createdAt: e.createdAt,
          },
          e.legacyExtra,
        ),
      ),
      timeline: atOrdinals(children.dispute_timeline ?? [], (t) =>
        documentOf(
          {
            at: t.at,
            actor: refValue(t.actorId, legacyIdOf),
            action: t.action,
            fromStatus: t.fromStatus,
            toStatus: t.toStatus,
            note: t.note,
          },
          t.legacyExtra,
        ),
      ),
      chatId: typeof row.chatId === 'string' ? idValue(row.chatId) : undefined,
      resolution: {
        outcome: row.resolutionOutcome,
        refundAmount: decimalValue(row.resolutionRefundAmount),
        resolvedBy: refValue(row.resolutionResolvedById, legacyIdOf),
        resolvedAt: row.resolutionResolvedAt,
        notes: row.resolutionNotes,
      },
      releaseHold: row.releaseHold,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
