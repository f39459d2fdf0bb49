import {
  boolean,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns, tstz } from './columns.js';

/** `categories`: a tree by self reference (plan §4.3), soft-deleted through `deleted_at`. */
export const categories = pgTable(
  'categories',
  {
    ...legacyColumns(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    slug: text('slug'),
    /** Set by the categories link pass; deleting a parent orphans its children rather than them. */
    parentId: uuid('parent_id')
      .$type<PgUuid>()
      .references((): AnyPgColumn => categories.id, { onDelete: 'set null' }),
    isActive: boolean('is_active').notNull().default(true),
    sortOrder: integer('sort_order'),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [
    uniqueIndex('categories_legacy_object_id_uq').on(t.legacyObjectId),
    uniqueIndex('categories_slug_uq').on(t.slug),
    index('categories_parent_idx').on(t.parentId),
    index('categories_active_idx').on(t.isActive),
  ],
);
