import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns } from './columns.js';
import { users } from './users.js';

/**
 * `addresses`, the pilot (plan Phase 1). `country` is meant to be ISO-3166 alpha-2 but the source never
 * checked it, so it is copied as found rather than constrained.
 */
export const addresses = pgTable(
  'addresses',
  {
    ...legacyColumns(),
    userId: uuid('user_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    label: text('label'),
    fullName: text('full_name'),
    phone: text('phone'),
    line1: text('line1'),
    line2: text('line2'),
    city: text('city'),
    region: text('region'),
    postalCode: text('postal_code'),
    country: text('country'),
    primary: boolean('primary').notNull().default(false),
  },
  (t) => [
    uniqueIndex('addresses_legacy_object_id_uq').on(t.legacyObjectId),
    index('addresses_user_idx').on(t.userId),
    // The pre-save hook's invariant made structural (plan Phase 1): at most one primary per user.
    uniqueIndex('addresses_one_primary_per_user_uq')
      .on(t.userId)
      .where(sql`"primary" = true`),
  ],
);
