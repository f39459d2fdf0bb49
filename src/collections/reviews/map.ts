import type { reviews } from '../../db/schema/reviews.js';
import {
  FieldReject,
  isFieldReject,
  MapBuilder,
  optionalInt,
  optionalString,
  type MainRow,
  type Read,
  type Shape,
} from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const REVIEW_SHAPE: Shape = {
  reviewerId: true,
  revieweeId: true,
  purchaseRequestId: true,
  rating: true,
  comment: true,
};

const MIN_RATING = 1;
const MAX_RATING = 5;

/**
 * `rating`: an integer 1..5. The model's min/max ran on `save()` only, so a document written another way
 * can hold 7; that is rejected here (invalid_type, naming the range) rather than left for
 * `reviews_rating_ck` to refuse as an anonymous constraint_violation.
 */
function ratingOf(value: unknown): Read<number | null> {
  const rating = optionalInt(value, 'rating');
  if (isFieldReject(rating) || rating === null) return rating;
  if (rating >= MIN_RATING && rating <= MAX_RATING) return rating;
  return new FieldReject(
    'invalid_type',
    'rating',
    `rating is ${rating}, outside ${MIN_RATING}..${MAX_RATING} (reviews_rating_ck)`,
  );
}

/** A reviews document → reviews row; the request it reviews is optional (NULL + anomaly when gone). */
export function mapReview(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const row: MainRow<typeof reviews> = {
    ...b.commonColumns(doc, REVIEW_SHAPE),
    reviewerId: b.requiredRef(doc.reviewerId, { field: 'reviewerId', parent: 'users' }),
    revieweeId: b.requiredRef(doc.revieweeId, { field: 'revieweeId', parent: 'users' }),
    purchaseRequestId: b.optionalRef(doc.purchaseRequestId, {
      field: 'purchaseRequestId',
      parent: 'purchaserequests',
    }),
    rating: b.read(ratingOf(doc.rating)),
    comment: b.read(optionalString(doc.comment, 'comment')),
  };
  return b.finish(row);
}
