import { sql } from 'drizzle-orm';
import {
  bigserial,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { LegacyId } from '../ids.js';

/**
 * A write that reached one store but not the other (plan §5). `forward`: MongoDB has it, Postgres not
 * (dual mode); the drain syncs the document from MongoDB. `reverse`: Postgres has it, MongoDB not (pg
 * mode); the drain writes the document back from the rows. A row is never deleted, only resolved, so the
 * history of drift stays auditable.
 *
 *   open ──drain fails──▶ open (attempts+1, next_attempt_at later, with jitter)
 *     ├──drained──▶ resolved
 *     └──attempts exhausted──▶ dead ──retry-dead──▶ open
 */
export const gapOp = pgEnum('dualwrite_gap_op', ['upsert', 'delete']);
export const gapStatus = pgEnum('dualwrite_gap_status', ['open', 'resolved', 'dead']);
export const gapDirection = pgEnum('dualwrite_gap_direction', ['forward', 'reverse']);

export const dualwriteGaps = pgTable(
  'pg_dualwrite_gaps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    collection: text('collection').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>().notNull(),
    /**
     * The `_id` as canonical Extended JSON (`{"$oid":…}`, or a plain string): read back with its exact
     * BSON type, so a 24-hex string `_id` is never taken for an ObjectId.
     */
    idJson: text('id_json'),
    op: gapOp('op').notNull(),
    direction: gapDirection('direction').notNull().default('forward'),
    status: gapStatus('status').notNull().default('open'),
    lastError: text('last_error'),
    attempts: integer('attempts').notNull().default(0),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    // One open gap per document: a second failure on the same document bumps the existing row.
    uniqueIndex('pg_dualwrite_gaps_open_uq')
      .on(t.collection, t.legacyId)
      .where(sql`status = 'open'`),
    index('pg_dualwrite_gaps_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`status = 'open'`),
    // Resolving a batch also settles the dead gaps of its documents: without this index, a scan of the
    // whole table, history included, on every batch (the table only grows). Not partial on 'dead': that
    // enum value is added by an earlier migration of the same transaction, where Postgres refuses it.
    index('pg_dualwrite_gaps_document_idx').on(t.collection, t.legacyId),
  ],
);
