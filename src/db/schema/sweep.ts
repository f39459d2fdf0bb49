import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The delta sweep's checkpoint, one row per collection (src/sweep/deltaSweep.ts): every document
 * MongoDB changed before `swept_to` (less the sweep's overlap) has been synced into Postgres. The next
 * sweep of the collection reads the documents changed since `swept_to - overlap`. `swept_to` is
 * Postgres' clock, taken before the sweep began reading MongoDB, and never moves backwards.
 */
export const sweepCheckpoints = pgTable('sweep_checkpoints', {
  collection: text('collection').primaryKey(),
  sweptTo: timestamp('swept_to', { withTimezone: true }).notNull(),
  lastRunAt: timestamp('last_run_at', { withTimezone: true }).notNull().defaultNow(),
  /** What the last completed sweep of the collection did. */
  scanned: integer('scanned').notNull().default(0),
  synced: integer('synced').notNull().default(0),
  rejected: integer('rejected').notNull().default(0),
  departed: integer('departed').notNull().default(0),
});
