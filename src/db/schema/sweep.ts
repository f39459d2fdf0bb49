import { sql } from 'drizzle-orm';
import { check, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Which way a sweep reads: `forward` MongoDB → Postgres (dual mode, src/sweep/deltaSweep.ts), `reverse`
 * Postgres → MongoDB (pg mode, src/sweep/reverseSweep.ts). Declared here, not imported from the engine,
 * so the schema imports nothing above it.
 */
export const SWEEP_DIRECTIONS = ['forward', 'reverse'] as const;
export type SweepDirection = (typeof SWEEP_DIRECTIONS)[number];

/**
 * The sweeps' checkpoints, one row per collection and direction. Forward: every document MongoDB
 * changed before `swept_to` (less the overlap) has been synced into Postgres. Reverse: every row
 * Postgres changed before `swept_to` (less the overlap) has been mirrored into MongoDB. The next sweep
 * reads what changed since `swept_to - overlap`. `swept_to` is Postgres' clock, taken before the sweep
 * began reading, and never moves backwards. The two directions never share a row: a collection that
 * goes pg → dual → pg keeps both, and each resumes from its own.
 */
export const sweepCheckpoints = pgTable(
  'sweep_checkpoints',
  {
    collection: text('collection').notNull(),
    // Existing rows were all written by the forward sweep, hence the default.
    direction: text('direction').$type<SweepDirection>().notNull().default('forward'),
    sweptTo: timestamp('swept_to', { withTimezone: true }).notNull(),
    lastRunAt: timestamp('last_run_at', { withTimezone: true }).notNull().defaultNow(),
    /** What the last completed sweep of the collection did (reverse: `synced` = mirrored). */
    scanned: integer('scanned').notNull().default(0),
    synced: integer('synced').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    departed: integer('departed').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.collection, t.direction] }),
    check('sweep_checkpoints_direction_ck', sql`${t.direction} IN ('forward', 'reverse')`),
  ],
);
