import { documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/**
 * A reviews row → the reviews document. A `purchaseRequestId` whose request was gone when the review
 * was copied is NULL (dangling, data-policy.md) and comes back absent.
 */
export const unmapReview: Unmapper = ({ legacyId, row }, legacyIdOf) =>
  documentOf(
    {
      _id: idValue(legacyId),
      reviewerId: refValue(row.reviewerId, legacyIdOf),
      revieweeId: refValue(row.revieweeId, legacyIdOf),
      purchaseRequestId: refValue(row.purchaseRequestId, legacyIdOf),
      rating: row.rating,
      comment: row.comment,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
