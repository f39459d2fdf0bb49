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
 * - `source_read_at` is the write guard (docs/data-policy.md "Versions"): Postgres' clock when the writer
 *   began reading the document from MongoDB. A writer never replaces a row stamped after its own read began.
 * - `source_deleted_at` / `rejected_at` are tombstones: the document left MongoDB, or no longer maps, but
 *   other rows still reference this one, so it is kept (never cascade-deleted) and not counted as migrated.
 */
export const legacyColumns = () => ({
  id: uuid('id').$type<PgUuid>().primaryKey(),
  legacyObjectId: text('legacy_object_id').$type<LegacyId>().notNull(),
  sourceUpdatedAt: timestamp('source_updated_at', { withTimezone: true }),
  sourceReadAt: timestamp('source_read_at', { withTimezone: true }),
  sourceDeletedAt: timestamp('source_deleted_at', { withTimezone: true }),
  rejectedAt: timestamp('rejected_at', { withTimezone: true }),
  legacyExtra: jsonb('legacy_extra'),
  createdAt: timestamp('created_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }),
});

/** A timestamptz column; Mongo dates are instants, so the zone-less type would be a lie. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true });
