import { desc, eq, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Db } from '../db/client.js';
import { collectionModeChanges, collectionModes } from '../db/schema/backfill.js';
import type { GateRecord } from './gates/index.js';
import type { CollectionMode } from './machine.js';

/**
 * The named SQL of the modes: collection_modes holds the current mode (no row = 'mongo'),
 * collection_mode_changes one row per change, kept forever.
 */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Queryable = Db | Tx;

/** One audit row, as `mode --history --json`, the API and changeMode's result show it. */
export interface ModeChangeRecord {
  id: number;
  collection: string;
  from: CollectionMode;
  to: CollectionMode;
  actor: string;
  reason: string | null;
  forced: boolean;
  /** The gates evaluated for the move; null for a back move (never gated, so never evaluated). */
  gates: GateRecord | null;
  changedAt: Date;
}

const recordColumns = {
  id: collectionModeChanges.id,
  collection: collectionModeChanges.collection,
  from: collectionModeChanges.fromMode,
  to: collectionModeChanges.toMode,
  actor: collectionModeChanges.actor,
  reason: collectionModeChanges.reason,
  forced: collectionModeChanges.forced,
  gates: collectionModeChanges.gates,
  changedAt: collectionModeChanges.changedAt,
};

type RawRecord = Omit<ModeChangeRecord, 'gates'> & { gates: unknown };
const toRecord = (row: RawRecord): ModeChangeRecord => ({ ...row, gates: row.gates as GateRecord | null });

/**
 * Locks the collection's mode row until the transaction ends and returns the mode under the lock. The
 * row is created at 'mongo' first when absent: a missing row cannot be locked, and two first changes
 * racing would otherwise both read 'mongo'. (The second INSERT waits for the first to commit, then does
 * nothing; FOR UPDATE then reads the committed mode.)
 */
export async function lockMode(tx: Tx, collection: string): Promise<CollectionMode> {
  await tx.insert(collectionModes).values({ collection, mode: 'mongo' }).onConflictDoNothing();
  const [row] = await tx
    .select({ mode: collectionModes.mode })
    .from(collectionModes)
    .where(eq(collectionModes.collection, collection))
    .for('update');
  if (!row) throw new Error(`collection_modes row of ${collection} vanished under its lock`);
  return row.mode;
}

// Stamped with clock_timestamp(), taken under the lock, not now() (the transaction's start): a change
// that waited for the lock must not carry an instant earlier than the change it waited for.
export async function writeMode(tx: Tx, collection: string, mode: CollectionMode): Promise<void> {
  await tx
    .update(collectionModes)
    .set({ mode, changedAt: sql`clock_timestamp()` })
    .where(eq(collectionModes.collection, collection));
}

export async function insertModeChange(
  tx: Tx,
  change: Omit<ModeChangeRecord, 'id' | 'changedAt'>,
): Promise<ModeChangeRecord> {
  const [row] = await tx
    .insert(collectionModeChanges)
    .values({
      collection: change.collection,
      fromMode: change.from,
      toMode: change.to,
      actor: change.actor,
      reason: change.reason,
      forced: change.forced,
      gates: change.gates,
      changedAt: sql`clock_timestamp()`,
    })
    .returning(recordColumns);
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return toRecord(row);
}

/** Every collection's mode in one query; collections without a row are absent (they are in 'mongo'). */
export async function readAllModes(db: Queryable): Promise<Map<string, CollectionMode>> {
  const rows = await db
    .select({ collection: collectionModes.collection, mode: collectionModes.mode })
    .from(collectionModes);
  return new Map(rows.map((row) => [row.collection, row.mode]));
}

/** A collection's mode with what the settle fence (src/modes/settle.ts) needs to route by it. */
export interface ModeState {
  mode: CollectionMode;
  /** The mode before the last change (its audit row's `from`); null when it never changed. */
  previous: CollectionMode | null;
  /** How long ago the last change was made, by Postgres's clock (so every process measures the same age). */
  ageMs: number;
  /** Open reverse gaps: Postgres commits MongoDB does not have yet (see src/modes/settle.ts). */
  reverseGapsOpen: number;
  /** Open forward gaps: MongoDB writes Postgres does not have yet (see src/modes/settle.ts). */
  forwardGapsOpen: number;
}

/**
 * Every collection's ModeState in one query; collections without a row are absent (they are in
 * 'mongo'). The previous mode is the newest audit row's `from`: changeMode writes both in one
 * transaction, so they always agree.
 */
export async function readModeStates(db: Db | pg.Pool, collection?: string): Promise<Map<string, ModeState>> {
  const pool = '$client' in db ? db.$client : db;
  // One pass over the open gaps (their partial index), counted by direction, for all collections.
  const { rows } = await pool.query<{
    collection: string;
    mode: CollectionMode;
    previous: CollectionMode | null;
    age_ms: number;
    reverse_gaps_open: number;
    forward_gaps_open: number;
  }>(
    `SELECT m.collection, m.mode, last.from_mode AS previous,
            (extract(epoch FROM clock_timestamp() - m.changed_at) * 1000)::float8 AS age_ms,
            coalesce(g.reverse, 0) AS reverse_gaps_open,
            coalesce(g.forward, 0) AS forward_gaps_open
       FROM collection_modes m
       LEFT JOIN LATERAL (
         SELECT from_mode FROM collection_mode_changes c
          WHERE c.collection = m.collection ORDER BY c.id DESC LIMIT 1
       ) last ON true
       LEFT JOIN (
         SELECT collection,
                (count(*) FILTER (WHERE direction = 'reverse'))::int AS reverse,
                (count(*) FILTER (WHERE direction = 'forward'))::int AS forward
           FROM pg_dualwrite_gaps WHERE status = 'open' GROUP BY collection
       ) g ON g.collection = m.collection
      WHERE $1::text IS NULL OR m.collection = $1`,
    [collection ?? null],
  );
  return new Map(
    rows.map((row) => [
      row.collection,
      {
        mode: row.mode,
        previous: row.previous,
        ageMs: row.age_ms,
        reverseGapsOpen: row.reverse_gaps_open,
        forwardGapsOpen: row.forward_gaps_open,
      },
    ]),
  );
}

export interface HistoryQuery {
  collection?: string;
  /** The newest N changes. @defaultValue 100 */
  limit?: number;
}

/**
 * The newest `limit` changes (of one collection, or all), returned oldest first so they read as a log.
 * Ordered by id: a change takes its id under the collection's row lock, so for one collection id order
 * is commit order.
 */
export async function readModeHistory(db: Queryable, query: HistoryQuery = {}): Promise<ModeChangeRecord[]> {
  const rows = await db
    .select(recordColumns)
    .from(collectionModeChanges)
    .where(
      query.collection === undefined ? undefined : eq(collectionModeChanges.collection, query.collection),
    )
    .orderBy(desc(collectionModeChanges.id))
    .limit(query.limit ?? 100);
  return rows.reverse().map(toRecord);
}
