import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { legacyColumns } from './columns.js';

/**
 * `levelconfigs`: the ladder users climb. `users.level` points here by value (the level number), not by
 * `_id`, so `level` is the unique key the foreign key targets and cannot be NULL.
 */
export const levelConfigs = pgTable(
  'level_configs',
  {
    ...legacyColumns(),
    // A UNIQUE *constraint*, not just an index: it is created with the table, before the FK that needs it.
    level: integer('level').notNull().unique('level_configs_level_uq'),
    name: text('name'),
    minPoints: integer('min_points'),
    feeDiscountBps: integer('fee_discount_bps'),
    /** Read whole, never joined (plan §4.2 rule): an array column, not a child table. */
    benefits: text('benefits').array(),
  },
  (t) => [
    uniqueIndex('level_configs_legacy_object_id_uq').on(t.legacyObjectId),
    // A discount above 100 % cannot be legitimate; a row that claims one is a data error to look at.
    check('level_configs_fee_discount_bps_ck', sql`${t.feeDiscountBps} BETWEEN 0 AND 10000`),
  ],
);
