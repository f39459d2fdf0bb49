import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { LegacyId, PgUuid } from '../ids.js';

/**
 * The bridge of plan §3: every legacy `_id` gets one uuid, allocated once per (collection, legacy id)
 * and never changed, so foreign keys can be remapped and re-runs stay idempotent.
 */
export const idMap = pgTable(
  'id_map',
  {
    collection: text('collection').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>().notNull(),
    newId: uuid('new_id').$type<PgUuid>().notNull().defaultRandom(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('id_map_collection_legacy_uq').on(t.collection, t.legacyId)],
);
