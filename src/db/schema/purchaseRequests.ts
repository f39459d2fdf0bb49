import {
  boolean,
  index,
  integer,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { addresses } from './addresses.js';
import { categories } from './categories.js';
import { legacyColumns, tstz } from './columns.js';
import { sellerOffers } from './sellerOffers.js';
import { users } from './users.js';
import { BUDGET_CURRENCIES, DELIVERY_METHODS, PURCHASE_REQUEST_STATUSES } from '../../legacy/enums.js';

/** Every value found in production (legacy-schema.md). The model declares no default for any of them. */
export const purchaseRequestStatus = pgEnum('purchase_request_status', PURCHASE_REQUEST_STATUSES);
export const budgetCurrency = pgEnum('budget_currency', BUDGET_CURRENCIES);
export const deliveryMethod = pgEnum('delivery_method', DELIVERY_METHODS);

/**
 * `purchaserequests`, the head of the money core (plan Phase 4). `budget` is flattened into columns;
 * `offers[]` becomes the junction below and the denormalised array is dropped (plan §4.2).
 */
export const purchaseRequests = pgTable(
  'purchase_requests',
  {
    ...legacyColumns(),
    buyerId: uuid('buyer_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    title: text('title'),
    description: text('description'),
    categoryId: uuid('category_id')
      .$type<PgUuid>()
      .references(() => categories.id),
    quantity: integer('quantity'),
    budgetAmount: numeric('budget_amount', { precision: 38, scale: 18 }),
    budgetCurrency: budgetCurrency('budget_currency'),
    // Nullable: the model has no default, and an absent status is copied as absent, not invented.
    status: purchaseRequestStatus('status'),
    /**
     * The back edge of the purchaserequests ⇄ selleroffers cycle, so it is set by the link pass once the
     * offers exist. Deleting the offer leaves the request without one, as a hard delete did in Mongo.
     */
    acceptedOfferId: uuid('accepted_offer_id')
      .$type<PgUuid>()
      .references((): AnyPgColumn => sellerOffers.id, { onDelete: 'set null' }),
    expiresAt: tstz('expires_at'),
  },
  (t) => [
    uniqueIndex('purchase_requests_legacy_object_id_uq').on(t.legacyObjectId),
    index('purchase_requests_buyer_idx').on(t.buyerId),
    index('purchase_requests_category_idx').on(t.categoryId),
    index('purchase_requests_accepted_offer_idx').on(t.acceptedOfferId),
    index('purchase_requests_status_idx').on(t.status),
  ],
);

/**
 * `purchaserequests.offers[]` as a junction filled by the link pass (offers are copied after requests).
 * The primary key collapses an id the array repeated; an offer's deletion takes its junction rows along.
 */
export const purchaseRequestOffers = pgTable(
  'purchase_request_offers',
  {
    purchaseRequestId: uuid('purchase_request_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => purchaseRequests.id, { onDelete: 'cascade' }),
    sellerOfferId: uuid('seller_offer_id')
      .$type<PgUuid>()
      .notNull()
      .references((): AnyPgColumn => sellerOffers.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ name: 'purchase_request_offers_pk', columns: [t.purchaseRequestId, t.sellerOfferId] }),
    // The primary key serves lookups by request; this one serves "which requests list this offer".
    index('purchase_request_offers_offer_idx').on(t.sellerOfferId),
  ],
);

/**
 * `purchaserequests.preferredSellerIds[]`: a child table (users are copied first). `ordinal` is the
 * index of the id's first occurrence in the source array, so the order survives.
 */
export const prPreferredSellers = pgTable(
  'pr_preferred_sellers',
  {
    purchaseRequestId: uuid('purchase_request_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => purchaseRequests.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    ordinal: integer('ordinal').notNull(),
  },
  (t) => [
    primaryKey({ name: 'pr_preferred_sellers_pk', columns: [t.purchaseRequestId, t.userId] }),
    index('pr_preferred_sellers_user_idx').on(t.userId),
  ],
);

/** `purchaserequests.deliveryInfo` (1:1, plan §4.2: queried logistics, not a blob); a row only when present. */
export const prDeliveryInfo = pgTable(
  'pr_delivery_info',
  {
    purchaseRequestId: uuid('purchase_request_id')
      .$type<PgUuid>()
      .primaryKey()
      .references(() => purchaseRequests.id, { onDelete: 'cascade' }),
    method: deliveryMethod('method'),
    addressId: uuid('address_id')
      .$type<PgUuid>()
      .references(() => addresses.id),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    shippedAt: tstz('shipped_at'),
    deliveredAt: tstz('delivered_at'),
    notes: text('notes'),
  },
  (t) => [
    index('pr_delivery_info_address_idx').on(t.addressId),
    index('pr_delivery_info_tracking_idx').on(t.trackingNumber),
  ],
);

/** `purchaserequests.serviceInfo` (1:1); a row only when present. */
export const prServiceInfo = pgTable('pr_service_info', {
  purchaseRequestId: uuid('purchase_request_id')
    .$type<PgUuid>()
    .primaryKey()
    .references(() => purchaseRequests.id, { onDelete: 'cascade' }),
  scheduledAt: tstz('scheduled_at'),
  durationMinutes: integer('duration_minutes'),
  location: text('location'),
  remote: boolean('remote'),
});
