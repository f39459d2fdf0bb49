import { jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { LegacyId, PgUuid } from '../ids.js';

/**
 * The columns every migrated main table carries (spec.ts contract). A function, not a shared object:
 * Drizzle column builders are mutable and must not be shared between tables.
 *
 * - `id` has no default: the engine supplies `id_map.new_id`, so a re-run writes the same uuid.
 * - `created_at`/`updated_at` are nullable and copied as found: documents older than the timestamps
 *   plugin have neither, and inventing a time would hide that.
 * - `legacy_extra` keeps fields no model declares any more (docs/data-policy.md), as canonical EJSON.
 */
export const legacyColumns = () => ({
  id: uuid('id').$type<PgUuid>().primaryKey(),
  legacyObjectId: text('legacy_object_id').$type<LegacyId>().notNull(),
  sourceUpdatedAt: timestamp('source_updated_at', { withTimezone: true }),
  legacyExtra: jsonb('legacy_extra'),
  createdAt: timestamp('created_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }),
});

/** A timestamptz column; Mongo dates are instants, so the zone-less type would be a lie. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true });
