import { boolean, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns } from './columns.js';
import { users } from './users.js';

/** `shopsettings`: one row per seller (plan Phase 2 enforces `sellerId` unique). */
export const shopSettings = pgTable(
  'shop_settings',
  {
    ...legacyColumns(),
    sellerId: uuid('seller_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    shopName: text('shop_name'),
    description: text('description'),
    logoUrl: text('logo_url'),
    isOpen: boolean('is_open'),
    autoAcceptOffers: boolean('auto_accept_offers'),
    payoutAddress: text('payout_address'),
  },
  (t) => [
    uniqueIndex('shop_settings_legacy_object_id_uq').on(t.legacyObjectId),
    // Also serves as the FK index.
    uniqueIndex('shop_settings_seller_uq').on(t.sellerId),
  ],
);
