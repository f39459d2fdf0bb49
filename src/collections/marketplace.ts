import { disputesSpec } from './disputes/spec.js';
import { purchaseRequestsSpec } from './purchaserequests/spec.js';
import { reviewsSpec } from './reviews/spec.js';
import { sellerOffersSpec } from './selleroffers/spec.js';
import type { CollectionSpec } from './spec.js';

/**
 * The marketplace side of the money core (plan Phases 4–5). Order here is only for reading: the registry
 * derives the backfill order from `references` (disputes also needs `payments` in the registry).
 */
export const MARKETPLACE_SPECS: readonly CollectionSpec[] = [
  purchaseRequestsSpec,
  sellerOffersSpec,
  reviewsSpec,
  disputesSpec,
];
