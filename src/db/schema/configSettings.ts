import { index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns, tstz } from './columns.js';
import { users } from './users.js';

/**
 * `configsettings`. `legacy_object_id` is the 24-hex ObjectId on new rows and the key itself on rows
 * created before 2024, whose `_id` was a string.
 */
export const configSettings = pgTable(
  'config_settings',
  {
    ...legacyColumns(),
    key: text('key').notNull(),
    /** Any JSON (Mongoose Mixed), as relaxed EJSON: plain JSON stays plain, BSON types keep a `$` wrapper. */
    value: jsonb('value'),
    description: text('description'),
    updatedById: uuid('updated_by_id')
      .$type<PgUuid>()
      .references(() => users.id),
  },
  (t) => [
    uniqueIndex('config_settings_legacy_object_id_uq').on(t.legacyObjectId),
    uniqueIndex('config_settings_key_uq').on(t.key),
    index('config_settings_updated_by_idx').on(t.updatedById),
  ],
);

/** `configsettinghistories`: append-only; `changed_at` is its time (no Mongoose timestamps). */
export const configSettingHistories = pgTable(
  'config_setting_histories',
  {
    ...legacyColumns(),
    settingId: uuid('setting_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => configSettings.id),
    key: text('key'),
    oldValue: jsonb('old_value'),
    newValue: jsonb('new_value'),
    changedById: uuid('changed_by_id')
      .$type<PgUuid>()
      .references(() => users.id),
    changedAt: tstz('changed_at'),
  },
  (t) => [
    uniqueIndex('config_setting_histories_legacy_object_id_uq').on(t.legacyObjectId),
    index('config_setting_histories_setting_idx').on(t.settingId, t.changedAt),
    index('config_setting_histories_changed_by_idx').on(t.changedById),
  ],
);
