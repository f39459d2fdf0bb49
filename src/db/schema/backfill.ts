import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { LegacyId } from '../ids.js';
import { RUN_COLLECTION_STATUSES, RUN_STATUSES } from '../../backfill/types.js';

/**
 * The backfill's durable record. Redis holds the queues, but Postgres holds the truth: a run can be
 * rebuilt from these tables after Redis loses everything, without redoing a finished chunk.
 */
export const backfillRunStatus = pgEnum('backfill_run_status', RUN_STATUSES);
export const backfillCollectionStatus = pgEnum('backfill_collection_status', RUN_COLLECTION_STATUSES);
export const backfillChunkStatus = pgEnum('backfill_chunk_status', ['pending', 'done']);

export const backfillRuns = pgTable('backfill_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  status: backfillRunStatus('status').notNull().default('running'),
  collections: text('collections').array().notNull(),
  since: timestamp('since', { withTimezone: true }),
  chunkSize: integer('chunk_size').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  error: text('error'),
});

export const backfillRunCollections = pgTable(
  'backfill_run_collections',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => backfillRuns.id, { onDelete: 'cascade' }),
    collection: text('collection').notNull(),
    status: backfillCollectionStatus('status').notNull(),
    /** Parent collections of this run not finished yet; the collection is released when it reaches 0. */
    waitingOn: integer('waiting_on').notNull(),
    chunksPlanned: integer('chunks_planned'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.collection] })],
);

export const backfillChunks = pgTable(
  'backfill_chunks',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => backfillRuns.id, { onDelete: 'cascade' }),
    collection: text('collection').notNull(),
    chunkNo: integer('chunk_no').notNull(),
    /** The BSON type bracket of the range (src/backfill/ranges.ts). */
    idType: text('id_type').notNull(),
    /** Range bounds as canonical Extended JSON ([lo, hi); null = open end). */
    lo: text('lo'),
    hi: text('hi'),
    status: backfillChunkStatus('status').notNull().default('pending'),
    docsRead: integer('docs_read').notNull().default(0),
    docsWritten: integer('docs_written').notNull().default(0),
    docsRejected: integer('docs_rejected').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    worker: text('worker'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.collection, t.chunkNo] })],
);

/**
 * A document that could not become rows, with everything needed to read why and to retry it.
 * One open row per document: a re-run that rejects it again refreshes the row; a retry that migrates it
 * sets resolved_at.
 */
export const migrationRejects = pgTable(
  'migration_rejects',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id'),
    collection: text('collection').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>().notNull(),
    reason: text('reason').notNull(),
    field: text('field'),
    message: text('message').notNull(),
    /** The source document as canonical Extended JSON, so BSON types (Decimal128, Long) survive. */
    raw: jsonb('raw').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    /** How it was settled: `migrated` (it maps now) or `deleted` (the document left MongoDB). */
    resolution: text('resolution'),
  },
  (t) => [
    uniqueIndex('migration_rejects_open_uq')
      .on(t.collection, t.legacyId)
      .where(sql`resolved_at IS NULL`),
    index('migration_rejects_reason_idx').on(t.collection, t.reason),
  ],
);

/**
 * Documents that left MongoDB after they were seen: the fourth outcome beside migrated, rejected and
 * queued. `tombstoned` says the row was kept (with `source_deleted_at`) because other rows reference it;
 * otherwise it was removed with its child rows. A document that comes back loses its record.
 */
export const migrationDeletions = pgTable(
  'migration_deletions',
  {
    collection: text('collection').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>().notNull(),
    runId: uuid('run_id'),
    tombstoned: boolean('tombstoned').notNull(),
    detectedAt: timestamp('detected_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.collection, t.legacyId] })],
);

/** Migrated, but worth a reviewer's look (docs/data-policy.md): dangling optional references, nulls in arrays. */
export const migrationAnomalies = pgTable(
  'migration_anomalies',
  {
    collection: text('collection').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>().notNull(),
    code: text('code').notNull(),
    field: text('field').notNull(),
    message: text('message').notNull(),
    runId: uuid('run_id'),
    seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.collection, t.legacyId, t.code, t.field] })],
);

/**
 * Deferred references (self references, cycle back edges) found while copying, applied by the
 * collection's link pass once every row exists. `column_name` is the main-table column to set, or
 * `junction:<name>` for a row of one of the spec's junction tables (several parents per document).
 */
export const pendingLinks = pgTable(
  'pending_links',
  {
    collection: text('collection').notNull(),
    legacyId: text('legacy_object_id').$type<LegacyId>().notNull(),
    column: text('column_name').notNull(),
    parentCollection: text('parent_collection').notNull(),
    parentLegacyId: text('parent_legacy_id').$type<LegacyId>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.collection, t.legacyId, t.column, t.parentLegacyId] })],
);

/**
 * The cutover modes of plan §1, in their forward order (src/modes/ holds the state machine):
 *   mongo ──▶ dual ──▶ pg ──▶ decommissioned    (forward: gated; back: always allowed)
 * Declared here, not imported from the engine, so the schema imports nothing above it.
 */
export const COLLECTION_MODES = ['mongo', 'dual', 'pg', 'decommissioned'] as const;
export type CollectionMode = (typeof COLLECTION_MODES)[number];

/** Per-collection cutover mode (plan §1); a collection without a row is in `mongo`. */
export const collectionModes = pgTable(
  'collection_modes',
  {
    collection: text('collection').primaryKey(),
    mode: text('mode').$type<CollectionMode>().notNull().default('mongo'),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
    docsSeen: bigint('docs_seen', { mode: 'number' }),
  },
  (t) => [check('collection_modes_mode_ck', sql`${t.mode} IN ('mongo', 'dual', 'pg', 'decommissioned')`)],
);

/** Every mode change, kept forever: who, when, from, to, why, and the gate values at that moment. */
export const collectionModeChanges = pgTable(
  'collection_mode_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    collection: text('collection').notNull(),
    fromMode: text('from_mode').$type<CollectionMode>().notNull(),
    toMode: text('to_mode').$type<CollectionMode>().notNull(),
    /** The named credential (or OS user for the CLI) that asked for the change. */
    actor: text('actor').notNull(),
    reason: text('reason'),
    /** A forward move made over a red gate (needs a reason). */
    forced: boolean('forced').notNull().default(false),
    /** The gates as evaluated when the change was made: name → { ok, value }. */
    gates: jsonb('gates'),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('collection_mode_changes_collection_idx').on(t.collection, t.changedAt)],
);
