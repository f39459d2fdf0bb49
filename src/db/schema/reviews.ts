import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns } from './columns.js';
import { purchaseRequests } from './purchaseRequests.js';
import { users } from './users.js';

/** `reviews` (plan Phase 2 lists it; it points at purchaserequests, so it is copied after them). */
export const reviews = pgTable(
  'reviews',
  {
    ...legacyColumns(),
    reviewerId: uuid('reviewer_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    revieweeId: uuid('reviewee_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    purchaseRequestId: uuid('purchase_request_id')
      .$type<PgUuid>()
      .references(() => purchaseRequests.id),
    rating: integer('rating'),
    comment: text('comment'),
  },
  (t) => [
    uniqueIndex('reviews_legacy_object_id_uq').on(t.legacyObjectId),
    index('reviews_reviewer_idx').on(t.reviewerId),
    index('reviews_reviewee_idx').on(t.revieweeId),
    index('reviews_purchase_request_idx').on(t.purchaseRequestId),
    // The mapper rejects a rating outside 1..5 (invalid_type) before it gets here, so no migrated row
    // can trip this; it guards the writes Postgres takes after cutover.
    check('reviews_rating_ck', sql`${t.rating} BETWEEN 1 AND 5`),
  ],
);
