import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { LegacyId } from '../ids.js';

/**
 * Verification's durable record (plan §7): one run per request (CLI, API, scheduler), one result per
 * collection of it, and the mismatches each found. Kept with history: the cutover gate reads the latest
 * finished result of a collection, the console draws them over time. Statuses are text with a CHECK,
 * declared here so the schema imports nothing from the engine.
 */
export const VERIFICATION_STATUSES = ['running', 'green', 'red', 'failed'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** What differs for one document (DESIGN.md `verify --json`: `mismatches[].kind`). */
export const MISMATCH_KINDS = ['missing', 'extra', 'changed', 'child_rows'] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/**
 * A mismatch's life within a verification and across them. `settling`: seen on a document written within
 * the lag window, or not rechecked yet; `confirmed`: it survived a recheck after the lag window;
 * `cleared`: the recheck found the stores agree; `repaired`: `--repair` synced it and the recheck agrees.
 */
export const MISMATCH_STATUSES = ['settling', 'confirmed', 'cleared', 'repaired'] as const;
export type MismatchStatus = (typeof MISMATCH_STATUSES)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export const verificationRuns = pgTable(
  'verification_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    status: text('status').$type<VerificationStatus>().notNull().default('running'),
    collections: text('collections').array().notNull(),
    repair: boolean('repair').notNull().default(false),
    /** Who asked: the OS user (CLI), the credential's name (API), `scheduler`. */
    requestedBy: text('requested_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    error: text('error'),
  },
  (t) => [
    check('verification_runs_status_ck', sql`${t.status} IN (${inList(VERIFICATION_STATUSES)})`),
    index('verification_runs_created_idx').on(t.createdAt),
  ],
);

export const verificationResults = pgTable(
  'verification_results',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => verificationRuns.id, { onDelete: 'cascade' }),
    collection: text('collection').notNull(),
    status: text('status').$type<VerificationStatus>().notNull().default('running'),
    rangesPlanned: integer('ranges_planned'),
    rangesDone: integer('ranges_done').notNull().default(0),
    /** Documents compared, and how the rest were accounted (rejects, tombstones, open gaps): never matched silently. */
    counts: jsonb('counts').notNull().default({}),
    /** Exact money sums and ledger invariants, each side as decimal text. */
    money: jsonb('money'),
    mismatchesConfirmed: integer('mismatches_confirmed').notNull().default(0),
    mismatchesSettling: integer('mismatches_settling').notNull().default(0),
    repaired: integer('repaired').notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    error: text('error'),
  },
  (t) => [
    uniqueIndex('verification_results_run_collection_uq').on(t.runId, t.collection),
    // The gate and `status` read the latest finished result of each collection.
    index('verification_results_latest_idx').on(t.collection, t.finishedAt),
    check('verification_results_status_ck', sql`${t.status} IN (${inList(VERIFICATION_STATUSES)})`),
  ],
);

export const verificationMismatches = pgTable(
  'verification_mismatches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    resultId: bigint('result_id', { mode: 'number' })
      .notNull()
      .references(() => verificationResults.id, { onDelete: 'cascade' }),
    collection: text('collection').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>().notNull(),
    kind: text('kind').$type<MismatchKind>().notNull(),
    /** The columns (or child tables) that differ; empty for `missing` and `extra`. */
    columns: text('columns')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    status: text('status').$type<MismatchStatus>().notNull().default('settling'),
    /** First time any verification saw this document differ, carried over from earlier runs. */
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }).notNull().defaultNow(),
    /** Both sides of each differing column, for the drill-down. */
    detail: jsonb('detail'),
  },
  (t) => [
    uniqueIndex('verification_mismatches_result_doc_uq').on(t.resultId, t.legacyId),
    index('verification_mismatches_doc_idx').on(t.collection, t.legacyId),
    check('verification_mismatches_kind_ck', sql`${t.kind} IN (${inList(MISMATCH_KINDS)})`),
    check('verification_mismatches_status_ck', sql`${t.status} IN (${inList(MISMATCH_STATUSES)})`),
  ],
);

/**
 * Shadow reads (dual mode): a repository read answered by MongoDB and, off the caller's path, also by
 * Postgres. Counted per collection and read (`shadow_read_counts`, bumped in batches), and each difference
 * kept with its recheck, like a verification mismatch.
 */
export const shadowReadCounts = pgTable(
  'shadow_read_counts',
  {
    collection: text('collection').notNull(),
    read: text('read').notNull(),
    /** The minute the reads fall in (Postgres clock), so a gate can sum a window. */
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    compared: integer('compared').notNull().default(0),
    mismatched: integer('mismatched').notNull().default(0),
    /** The Postgres side failed (counted, never thrown at the caller). */
    failed: integer('failed').notNull().default(0),
  },
  (t) => [uniqueIndex('shadow_read_counts_uq').on(t.collection, t.read, t.minute)],
);

export const shadowReadMismatches = pgTable(
  'shadow_read_mismatches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    collection: text('collection').notNull(),
    /** The repository read, e.g. `users.findById`. */
    read: text('read').notNull(),
    /** The read's arguments as JSON, so the recheck can ask again. */
    args: jsonb('args').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>(),
    /** Dotted paths of the domain object that differ. */
    fields: text('fields')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    status: text('status').$type<MismatchStatus>().notNull().default('settling'),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }).notNull().defaultNow(),
    detail: jsonb('detail'),
  },
  (t) => [
    index('shadow_read_mismatches_window_idx').on(t.collection, t.status, t.firstSeenAt),
    check('shadow_read_mismatches_status_ck', sql`${t.status} IN (${inList(MISMATCH_STATUSES)})`),
  ],
);
