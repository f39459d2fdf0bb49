import {
  bigserial,
  boolean,
  index,
  integer,
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
import { payments } from './payments.js';
import { purchaseRequests } from './purchaseRequests.js';
import { users } from './users.js';
import { DISPUTE_REASONS, DISPUTE_STATUSES, EVIDENCE_TYPES } from '../../legacy/enums.js';

/** Every value found in production (legacy-schema.md); the model declares no default. */
export const disputeReason = pgEnum('dispute_reason', DISPUTE_REASONS);
export const disputeStatus = pgEnum('dispute_status', DISPUTE_STATUSES);
export const disputeEvidenceType = pgEnum('dispute_evidence_type', EVIDENCE_TYPES);

/**
 * `disputes` (plan Phase 5). `resolution` is flattened into columns; `evidence[]` and `timeline[]`
 * become the child tables below. `chat_id` points at a chat that stays on Mongo: text, never an FK.
 */
export const disputes = pgTable(
  'disputes',
  {
    ...legacyColumns(),
    purchaseRequestId: uuid('purchase_request_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => purchaseRequests.id),
    paymentId: uuid('payment_id')
      .$type<PgUuid>()
      .references(() => payments.id),
    openedById: uuid('opened_by_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    againstUserId: uuid('against_user_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    reason: disputeReason('reason'),
    status: disputeStatus('status'),
    /** The chat's ObjectId as 24 lower-case hex (a cross-store reference: Chat stays on Mongo). */
    chatId: text('chat_id'),
    resolutionOutcome: text('resolution_outcome'),
    resolutionRefundAmount: numeric('resolution_refund_amount', { precision: 38, scale: 18 }),
    resolutionResolvedById: uuid('resolution_resolved_by_id')
      .$type<PgUuid>()
      .references(() => users.id),
    resolutionResolvedAt: tstz('resolution_resolved_at'),
    resolutionNotes: text('resolution_notes'),
    releaseHold: boolean('release_hold'),
  },
  (t) => [
    uniqueIndex('disputes_legacy_object_id_uq').on(t.legacyObjectId),
    index('disputes_purchase_request_idx').on(t.purchaseRequestId),
    index('disputes_payment_idx').on(t.paymentId),
    index('disputes_opened_by_idx').on(t.openedById),
    index('disputes_against_user_idx').on(t.againstUserId),
    index('disputes_resolved_by_idx').on(t.resolutionResolvedById),
    index('disputes_status_idx').on(t.status),
  ],
);

/** `disputes.evidence[]`; `ordinal` is the element's source index, so a re-write yields the same rows. */
export const disputeEvidence = pgTable(
  'dispute_evidence',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    disputeId: uuid('dispute_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => disputes.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    uploadedById: uuid('uploaded_by_id')
      .$type<PgUuid>()
      .references(() => users.id),
    type: disputeEvidenceType('type'),
    url: text('url'),
    description: text('description'),
    createdAt: tstz('created_at'),
    /** Undeclared keys of the element (including Mongoose's per-subdocument `_id`), canonical EJSON. */
    legacyExtra: jsonb('legacy_extra'),
  },
  (t) => [
    uniqueIndex('dispute_evidence_dispute_ordinal_uq').on(t.disputeId, t.ordinal),
    index('dispute_evidence_uploaded_by_idx').on(t.uploadedById),
  ],
);

/**
 * `disputes.timeline[]`, which a pre-save hook appended to (plan Phase 5: an explicit INSERT after
 * cutover). `actor_id` NULL means the system. The statuses are text: the source never constrained a
 * timeline entry, and an enum would reject a whole dispute over one historical log line.
 */
export const disputeTimeline = pgTable(
  'dispute_timeline',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    disputeId: uuid('dispute_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => disputes.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    at: tstz('at'),
    actorId: uuid('actor_id')
      .$type<PgUuid>()
      .references(() => users.id),
    action: text('action'),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    note: text('note'),
    legacyExtra: jsonb('legacy_extra'),
  },
  (t) => [
    uniqueIndex('dispute_timeline_dispute_ordinal_uq').on(t.disputeId, t.ordinal),
    index('dispute_timeline_actor_idx').on(t.actorId),
  ],
);
