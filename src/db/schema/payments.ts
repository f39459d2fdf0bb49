import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns, tstz } from './columns.js';
import { purchaseRequests } from './purchaseRequests.js';
import { mixedRefCheck, mixedRefColumns, mixedRefKey } from './refKind.js';
import { sellerOffers } from './sellerOffers.js';
import { users } from './users.js';
import {
  ESCROW_STATES,
  PAYMENT_DIRECTIONS,
  PAYMENT_PROVIDERS,
  PAYMENT_STATUSES,
} from '../../legacy/enums.js';

/** Every value found in production (legacy-schema.md); the model's default is the first. */
export const paymentProvider = pgEnum('payment_provider', PAYMENT_PROVIDERS);
export const paymentDirection = pgEnum('payment_direction', PAYMENT_DIRECTIONS);
export const paymentStatus = pgEnum('payment_status', PAYMENT_STATUSES);
export const escrowState = pgEnum('escrow_state', ESCROW_STATES);

/**
 * `payments` (plan §4.1). `purchaseRequestId`, `sellerOfferId` and `sellerId` are Mixed: each is an FK
 * + external ref + kind (refKind.ts). `amount` is flattened; `blockchain` and `metadata` are read whole,
 * so jsonb (plan §4.2 rule).
 */
export const payments = pgTable(
  'payments',
  {
    ...legacyColumns(),
    ...mixedRefColumns('purchase_request', () => purchaseRequests.id),
    ...mixedRefColumns('seller_offer', () => sellerOffers.id),
    buyerId: uuid('buyer_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    ...mixedRefColumns('seller', () => users.id),
    amount: numeric('amount', { precision: 38, scale: 18, mode: 'string' }).notNull(),
    currency: text('currency').notNull().default('USDT'),
    provider: paymentProvider('provider').notNull().default('request.network'),
    direction: paymentDirection('direction').notNull().default('in'),
    status: paymentStatus('status').notNull().default('pending'),
    escrowState: escrowState('escrow_state'),
    providerPaymentId: text('provider_payment_id'),
    blockchain: jsonb('blockchain'),
    metadata: jsonb('metadata'),
    // NULL when the document never had it: the model declares no default, so none is invented here.
    isRefunded: boolean('is_refunded'),
    completedAt: tstz('completed_at'),
  },
  (t) => [
    uniqueIndex('payments_legacy_object_id_uq').on(t.legacyObjectId),
    mixedRefCheck(t, 'purchase_request'),
    mixedRefCheck(t, 'seller_offer'),
    mixedRefCheck(t, 'seller'),
    index('payments_status_created_idx').on(t.status, t.createdAt),
    index('payments_buyer_status_idx').on(t.buyerId, t.status),
    index('payments_seller_status_idx').on(t.sellerId, t.status),
    index('payments_provider_payment_id_idx').on(t.providerPaymentId),
    index('payments_purchase_request_idx').on(t.purchaseRequestId),
    index('payments_seller_offer_idx').on(t.sellerOfferId),
    /*
     * The checkout idempotency guard, under Mongo's name. Mongo keyed on the RAW Mixed values and treats
     * a missing field as null = null; Postgres treats NULLs as distinct, and a template ref has a NULL FK.
     * Keying on the FK columns alone would let two pending checkouts of one template (NULL FK twice)
     * through, or, with NULLS NOT DISTINCT, collide two different templates. So each Mixed field is
     * keyed on FK + external ref with NULLs folded (mixedRefKey): exactly the raw value's identity, and
     * `none` = `none` as in Mongo. NULLS NOT DISTINCT itself is not expressible on a partial index in
     * Drizzle 0.45; buyer_id/provider/direction are NOT NULL anyway. An ON CONFLICT on this index must
     * repeat these expressions and the WHERE (targetWhere).
     */
    uniqueIndex('uniq_pending_request_network_by_buyer_session_offer')
      .on(
        t.buyerId,
        ...mixedRefKey('purchase_request'),
        ...mixedRefKey('seller_offer'),
        t.provider,
        t.direction,
      )
      .where(sql`provider = 'request.network' AND direction = 'in' AND status = 'pending'`),
  ],
);
