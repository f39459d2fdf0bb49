import {
  index,
  integer,
  numeric,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns } from './columns.js';
import { purchaseRequests } from './purchaseRequests.js';
import { users } from './users.js';
import { SELLER_OFFER_STATUSES } from '../../legacy/enums.js';

/** Every value found in production (legacy-schema.md); the model declares no default. */
export const sellerOfferStatus = pgEnum('seller_offer_status', SELLER_OFFER_STATUSES);

/**
 * `selleroffers` (plan Phase 4). Copied after purchaserequests: the request is a required parent here,
 * while the request's `offers[]`/`acceptedOfferId` are the deferred back edge of the cycle.
 */
export const sellerOffers = pgTable(
  'seller_offers',
  {
    ...legacyColumns(),
    purchaseRequestId: uuid('purchase_request_id')
      .$type<PgUuid>()
      .notNull()
      .references((): AnyPgColumn => purchaseRequests.id),
    sellerId: uuid('seller_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    priceAmount: numeric('price_amount', { precision: 38, scale: 18 }),
    /**
     * Text, not the `budget_currency` enum: legacy-schema.md gives `price.currency` no enum, so the
     * source accepted any string, and an enum here would turn such offers into rejects.
     */
    priceCurrency: text('price_currency'),
    message: text('message'),
    deliveryDays: integer('delivery_days'),
    status: sellerOfferStatus('status'),
  },
  (t) => [
    uniqueIndex('seller_offers_legacy_object_id_uq').on(t.legacyObjectId),
    index('seller_offers_purchase_request_idx').on(t.purchaseRequestId),
    index('seller_offers_seller_idx').on(t.sellerId, t.status),
  ],
);
