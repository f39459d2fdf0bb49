import type pg from 'pg';
import type { SweepDirection } from '../db/schema/sweep.js';

export type { SweepDirection };

/**
 * The counts of one collection's sweep, as the checkpoint row keeps the last one. The reverse sweep
 * keeps its own counts in the same columns (src/sweep/reverseSweep.ts reverseCounts).
 */
export interface SweepCounts {
  /** `_id`s read from MongoDB (documents changed since the checkpoint, less the overlap). */
  scanned: number;
  /** In Postgres now as MongoDB has them (inserted, updated or already identical). */
  synced: number;
  /** Rejected (or still rejected), each with its reason in migration_rejects. */
  rejected: number;
  /** Gone from MongoDB between the scan and the sync: rows removed or tombstoned. */
  departed: number;
}

/** Postgres' clock, the one every watermark of the project is read from. */
export async function postgresNow(pool: pg.Pool | pg.ClientBase): Promise<Date> {
  const { rows } = await pool.query<{ now: Date }>(`SELECT clock_timestamp() AS now`);
  return rows[0]!.now;
}

/**
 * The instant the last completed sweep of the collection in that direction covered up to, or null
 * before the first. @defaultValue direction 'forward'
 */
export async function readCheckpoint(
  pool: pg.Pool | pg.ClientBase,
  collection: string,
  direction: SweepDirection = 'forward',
): Promise<Date | null> {
  const { rows } = await pool.query<{ swept_to: Date }>(
    `SELECT swept_to FROM sweep_checkpoints WHERE collection = $1 AND direction = $2`,
    [collection, direction],
  );
  return rows[0]?.swept_to ?? null;
}

/**
 * Where the first sweep of a collection starts: the first time its mode left `mongo` (from then on
 * Postgres is meant to follow MongoDB; the backfill covers what came before). The FIRST exit, not the
 * last: after dual → mongo → dual, the writes made while it was back in `mongo` were never synced, and
 * only a sweep from the first exit is sure to see them. A collection moved without an audit row falls
 * back to when its mode row last changed. Null: the collection never left `mongo`.
 */
export async function firstSweepStart(
  pool: pg.Pool | pg.ClientBase,
  collection: string,
): Promise<Date | null> {
  const { rows } = await pool.query<{
    left_mongo: Date | null;
    mode_changed: Date | null;
    mode: string | null;
  }>(
    `SELECT (SELECT min(changed_at) FROM collection_mode_changes
              WHERE collection = $1 AND from_mode = 'mongo') AS left_mongo,
            m.changed_at AS mode_changed, m.mode
       FROM (SELECT 1) one LEFT JOIN collection_modes m ON m.collection = $1`,
    [collection],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.left_mongo) return row.left_mongo;
  return row.mode && row.mode !== 'mongo' ? row.mode_changed : null;
}

/**
 * Records a completed sweep. `swept_to` never moves backwards: two sweeps that overlapped (a CLI run
 * beside the scheduler) leave the later instant.
 */
export async function saveCheckpoint(
  pool: pg.Pool | pg.ClientBase,
  collection: string,
  sweptTo: Date,
  counts: SweepCounts,
  direction: SweepDirection = 'forward',
): Promise<void> {
  await pool.query(
    `INSERT INTO sweep_checkpoints AS c
       (collection, direction, swept_to, last_run_at, scanned, synced, rejected, departed)
     VALUES ($1, $7, $2, clock_timestamp(), $3, $4, $5, $6)
     ON CONFLICT (collection, direction) DO UPDATE SET
       swept_to = GREATEST(c.swept_to, EXCLUDED.swept_to),
       last_run_at = EXCLUDED.last_run_at,
       scanned = EXCLUDED.scanned, synced = EXCLUDED.synced,
       rejected = EXCLUDED.rejected, departed = EXCLUDED.departed`,
    [collection, sweptTo, counts.scanned, counts.synced, counts.rejected, counts.departed, direction],
  );
}

/**
 * Where the first reverse sweep of a collection starts: the first time its mode entered `pg` (before
 * that MongoDB was authoritative and every Postgres write followed a MongoDB one, so nothing was
 * Postgres-only). The FIRST entry, for the reason firstSweepStart gives: after pg → dual → pg the
 * checkpoint kept from the first stay covers the rest. A collection moved without an audit row falls
 * back to when its mode row last changed. Null: the collection never entered `pg`.
 */
export async function firstReverseSweepStart(
  pool: pg.Pool | pg.ClientBase,
  collection: string,
): Promise<Date | null> {
  const { rows } = await pool.query<{
    entered_pg: Date | null;
    mode_changed: Date | null;
    mode: string | null;
  }>(
    `SELECT (SELECT min(changed_at) FROM collection_mode_changes
              WHERE collection = $1 AND to_mode = 'pg') AS entered_pg,
            m.changed_at AS mode_changed, m.mode
       FROM (SELECT 1) one LEFT JOIN collection_modes m ON m.collection = $1`,
    [collection],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.entered_pg) return row.entered_pg;
  return row.mode === 'pg' ? row.mode_changed : null;
}
