import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { describeCause } from '../gaps/describeError.js';
import { GapNotRecordedError, recordGap } from '../gaps/record.js';
import type { GapOp } from '../gaps/sql/upsertOpenGap.js';
import type { Logger } from '../logger.js';
import { mirrorDocuments, MirrorWriteError } from './mirrorDocuments.js';

export interface MirrorFollowOptions {
  pool: pg.Pool;
  /** The MongoDB being mirrored (the source database of the other modes); it also holds the gap fallback. */
  mongo: MongoDb;
  log?: Logger;
  /**
   * How long the caller waits for MongoDB to take the documents before they become reverse gaps. A
   * mirror still running then is left to finish on its own, holding its document locks until MongoDB
   * answers, so a later drain of the gap waits for it instead of overtaking it. @defaultValue 2000
   */
  mirrorTimeoutMs?: number;
  /** How long the gap table may take before the gap goes to the fallback store. @defaultValue 1000 */
  gapTimeoutMs?: number;
}

/** One document a committed Postgres transaction wrote. */
export interface MirroredDocument {
  /** The `_id` as MongoDB holds it (ObjectId, string…): the mirror writes MongoDB by this value. */
  id: unknown;
  /** What the transaction did to it; only recorded on a gap (the drain reads the rows to decide). @defaultValue 'upsert' */
  op?: GapOp;
}

/** What following one transaction's writes into MongoDB came to (for metrics, tests and the bench). */
export interface MirrorReport {
  mirrored: number;
  /** Reverse gaps recorded (in the table or the fallback store). */
  gaps: number;
  /** Documents no gap store took: only a reverse sweep can find them now (logged at error). */
  unrecorded: number;
}

const TIMED_OUT = Symbol('timed out');

/**
 * The pg-mode counterpart of the dual-write seam's `follow` (src/repositories/seam/dualWrite.ts): after
 * a Postgres transaction committed, write its documents of one collection into MongoDB
 * (mirrorDocuments), so that going back to `dual`/`mongo` is instant. Postgres's answer is the caller's
 * answer: nothing MongoDB does reaches the caller. A failure, or a mirror slower than
 * `mirrorTimeoutMs`, becomes a REVERSE gap per document (recordGap, direction 'reverse'), which
 * src/mirror/drainReverse.ts drains by mirroring the rows again; a write MongoDB refused for some
 * documents only makes gaps of those. Never throws; the caller waits at most about
 * `mirrorTimeoutMs + gapTimeoutMs`, plus a fallback write into MongoDB when the gap table is slow.
 *
 * Call it once per collection written, in any order: MongoDB has no foreign keys to satisfy.
 */
export async function followMirror(
  options: MirrorFollowOptions,
  collection: string,
  documents: readonly MirroredDocument[],
): Promise<MirrorReport> {
  const report: MirrorReport = { mirrored: 0, gaps: 0, unrecorded: 0 };
  if (documents.length === 0) return report;
  const { pool, mongo, mirrorTimeoutMs = 2_000 } = options;
  let failed: readonly { document: MirroredDocument; error: unknown }[];
  try {
    const mirror = mirrorDocuments(
      pool,
      mongo,
      collection,
      documents.map((d) => d.id),
    );
    // Abandoned on timeout but still running (holding its locks): its outcome is no longer anyone's to report.
    mirror.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), mirrorTimeoutMs);
    });
    try {
      if ((await Promise.race([mirror, timeout])) === TIMED_OUT)
        throw new Error(`MongoDB did not take the mirror within ${mirrorTimeoutMs} ms`);
    } finally {
      clearTimeout(timer);
    }
    report.mirrored = documents.length;
    return report;
  } catch (error) {
    failed =
      error instanceof MirrorWriteError
        ? refusedOf(error, documents)
        : documents.map((document) => ({ document, error }));
  }
  report.mirrored = documents.length - failed.length;
  await recordReverseGaps(options, collection, failed, report);
  return report;
}

/** The documents a MirrorWriteError names, each with its own refusal. */
function refusedOf(
  error: MirrorWriteError,
  documents: readonly MirroredDocument[],
): { document: MirroredDocument; error: unknown }[] {
  return error.failures.map((failure) => ({
    document: documents.find((d) => sameId(d.id, failure.id)) ?? { id: failure.id },
    error: new Error(failure.error),
  }));
}

function sameId(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  return typeof a === 'object' && a !== null && 'equals' in a
    ? (a as { equals(other: unknown): boolean }).equals(b)
    : a === b;
}

async function recordReverseGaps(
  options: MirrorFollowOptions,
  collection: string,
  failed: readonly { document: MirroredDocument; error: unknown }[],
  report: MirrorReport,
): Promise<void> {
  const { pool, mongo, log, gapTimeoutMs = 1_000 } = options;
  const outcomes = await Promise.allSettled(
    failed.map(({ document, error }) =>
      recordGap(
        { pool, mongo },
        { collection, id: document.id, op: document.op ?? 'upsert', direction: 'reverse', error },
        { timeoutMs: gapTimeoutMs },
      ),
    ),
  );
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') {
      report.gaps += 1;
      continue;
    }
    report.unrecorded += 1;
    const reason: unknown = outcome.reason;
    log?.error(
      {
        collection,
        err: reason instanceof GapNotRecordedError ? reason.message : describeCause(reason),
      },
      'pg-mode write not mirrored and not recorded; a reverse sweep must find it',
    );
  }
  log?.warn(
    { collection, documents: failed.length, err: describeCause(failed[0]?.error) },
    'MongoDB mirror became reverse gaps',
  );
}
