import { reviews } from '../../db/schema/reviews.js';
import type { CollectionSpec } from '../spec.js';
import { mapReview } from './map.js';
import { unmapReview } from './unmap.js';

/**
 * reviews: plan Phase 2 lists it, but it points at purchaserequests, so the registry orders it after
 * them; it is listed with the marketplace for that reason.
 */
export const reviewsSpec: CollectionSpec = {
  collection: 'reviews',
  phase: 2,
  table: reviews,
  references: [
    { path: 'reviewerId', parent: 'users' },
    { path: 'revieweeId', parent: 'users' },
    { path: 'purchaseRequestId', parent: 'purchaserequests' },
  ],
  map: mapReview,
  unmap: unmapReview,
};
