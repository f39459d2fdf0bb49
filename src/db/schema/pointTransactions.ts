import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns } from './columns.js';
import { users } from './users.js';
import { POINT_TRANSACTION_TYPES } from '../../legacy/enums.js';

export const pointTransactionType = pgEnum('point_transaction_type', POINT_TRANSACTION_TYPES);

/**
 * What `referenceId` held (docs/data-policy.md): `id` (an ObjectId or its 24-hex spelling), `string`, or
 * `none`. Polymorphic (the target depends on `reference_type`), so there is no FK to resolve it against.
 */
export const pointReferenceKind = pgEnum('point_reference_kind', ['id', 'string', 'none']);

/** `pointtransactions`: append-only (no updatedAt in the source, so `updated_at` stays NULL). */
export const pointTransactions = pgTable(
  'point_transactions',
  {
    ...legacyColumns(),
    userId: uuid('user_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    type: pointTransactionType('type'),
    points: integer('points').notNull(),
    balanceAfter: integer('balance_after'),
    referenceType: text('reference_type'),
    referenceKind: pointReferenceKind('reference_kind').notNull(),
    referenceExternalRef: text('reference_external_ref'),
    metadata: jsonb('metadata'),
  },
  (t) => [
    uniqueIndex('point_transactions_legacy_object_id_uq').on(t.legacyObjectId),
    index('point_transactions_user_idx').on(t.userId, t.createdAt),
    index('point_transactions_reference_idx').on(t.referenceType, t.referenceExternalRef),
    // The kind agrees with the ref, NULL-free like mixedRefCheck: only `none` has no ref.
    check(
      'point_transactions_reference_ck',
      sql`(${t.referenceKind} = 'none' AND ${t.referenceExternalRef} IS NULL)
        OR (${t.referenceKind} <> 'none' AND ${t.referenceExternalRef} IS NOT NULL AND ${t.referenceExternalRef} <> '')`,
    ),
  ],
);
