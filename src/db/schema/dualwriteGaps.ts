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
 * A dual-write that reached Mongo but not Postgres (plan §5). The gaps queue re-reads the document from
 * Mongo and replays it; a row is never deleted, only resolved, so the history of drift stays auditable.
 *
 *   open ──retry fails──▶ open (attempts+1, next_attempt_at later)
 *     └──replayed──▶ resolved
 */
export const gapOp = pgEnum('dualwrite_gap_op', ['upsert', 'delete']);
export const gapStatus = pgEnum('dualwrite_gap_status', ['open', 'resolved']);

export const dualwriteGaps = pgTable(
  'pg_dualwrite_gaps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    collection: text('collection').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>().notNull(),
    op: gapOp('op').notNull(),
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
  ],
);
