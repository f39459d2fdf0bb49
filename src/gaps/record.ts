import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { describeCause, describeGapError } from './describeError.js';
import { writeFallbackRecord } from './fallbackStore.js';
import { gapIdsOf } from './ids.js';
import { upsertOpenGap, type GapDirection, type GapOp } from './sql/upsertOpenGap.js';

export interface GapStores {
  pool: pg.Pool;
  /** The source database: it holds the fallback store (src/gaps/fallbackStore.ts). */
  mongo: MongoDb;
}

export interface GapFailure {
  collection: string;
  /** The document's `_id` as MongoDB holds it (an ObjectId, a string…), not its hex. */
  id: unknown;
  op: GapOp;
  /** @defaultValue 'forward' (MongoDB has the write, Postgres not) */
  direction?: GapDirection;
  /** What made the sync fail; its message, SQLSTATE or errno go into `last_error`. */
  error: unknown;
}

export interface RecordGapOptions {
  /**
   * How long the gap table may take before the record goes to the fallback store instead: a Postgres
   * that does not answer (a dropped route, a full connection pool) must not hold the caller as long as
   * one that refuses. @defaultValue 5000
   */
  timeoutMs?: number;
}

export type Recorded = { store: 'table'; gapId: number } | { store: 'fallback'; tableError: string };

/** Neither the gap table nor the fallback store took the record: the caller must alert. */
export class GapNotRecordedError extends Error {
  override readonly name = 'GapNotRecordedError';
  constructor(
    readonly collection: string,
    readonly legacyId: string,
    readonly tableError: string,
    readonly fallbackError: string,
  ) {
    super(
      `gap of ${collection} ${legacyId} not recorded: gap table failed (${tableError}), ` +
        `fallback store failed (${fallbackError})`,
    );
  }
}

const TIMED_OUT = Symbol('timed out');

function gapRowOf(failure: GapFailure) {
  const { legacyId, idJson } = gapIdsOf(failure.id);
  return {
    collection: failure.collection,
    legacyId,
    idJson,
    op: failure.op,
    direction: failure.direction ?? 'forward',
    lastError: describeGapError(failure.collection, legacyId, failure.error),
  };
}

/**
 * Records a gap in `pg_dualwrite_gaps` only, with no fallback and no timeout of its own: for REVERSE
 * gaps, which come from a Postgres that has just committed (so is there) and a MongoDB that failed (so
 * is no place for a fallback record: waiting on it would hold the caller for the driver's whole
 * server-selection timeout). Resolves to the gap's id; throws what Postgres threw.
 */
export function recordGapInTable(pool: pg.Pool, failure: GapFailure): Promise<number> {
  return upsertOpenGap(pool, gapRowOf(failure));
}

/**
 * Records that a document's write reached one store but not the other (plan §5), so a drain brings it
 * over later. Into `pg_dualwrite_gaps` when Postgres takes it within `timeoutMs`; otherwise, whatever
 * the reason (unreachable, too slow, refusing), into the fallback store in MongoDB, from which
 * moveFallbackIntoGaps() moves it once Postgres is back. A slow insert that commits after the timeout
 * leaves the gap in both places, which is harmless: moving it again only refreshes the open gap.
 */
export async function recordGap(
  stores: GapStores,
  failure: GapFailure,
  options: RecordGapOptions = {},
): Promise<Recorded> {
  const { timeoutMs = 5_000 } = options;
  const gap = gapRowOf(failure);
  const legacyId = gap.legacyId;

  const insert = upsertOpenGap(stores.pool, gap);
  // Abandoned on timeout but still running: its outcome is no longer anyone's to report.
  insert.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  let tableError: string;
  try {
    const outcome = await Promise.race([insert, timeout]);
    if (outcome !== TIMED_OUT) return { store: 'table', gapId: outcome };
    tableError = `no answer from Postgres within ${timeoutMs} ms`;
  } catch (error) {
    tableError = describeCause(error);
  } finally {
    clearTimeout(timer);
  }

  try {
    await writeFallbackRecord(stores.mongo, {
      ...gap,
      lastError: `${gap.lastError}; gap table unavailable: ${tableError}`,
    });
  } catch (error) {
    throw new GapNotRecordedError(gap.collection, legacyId, tableError, describeCause(error));
  }
  return { store: 'fallback', tableError };
}
