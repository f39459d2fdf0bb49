import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { describeCause } from '../gaps/describeError.js';
import { recordGapInTable } from '../gaps/record.js';
import type { GapOp } from '../gaps/sql/upsertOpenGap.js';
import type { Logger } from '../logger.js';
import { mirrorDocumentsOn, mirrorKeyOf, MirrorTimeoutError, MirrorWriteError } from './mirrorDocuments.js';

export interface MirrorFollowOptions {
  /** For the reverse gaps (taken from the pool, not from the client that mirrors). */
  pool: pg.Pool;
  /** The MongoDB being mirrored (the source database of the other modes); it also holds the gap fallback. */
  mongo: MongoDb;
  log?: Logger;
  /**
   * How long the caller waits for MongoDB to take the documents before the rest become reverse gaps.
   * The mirror's MongoDB operations are aborted then too (MirrorOptions.signal), so it lets go of the
   * documents' locks about as soon as the caller gave up on it. @defaultValue 2000
   */
  mirrorTimeoutMs?: number;
}

/** One document a committed Postgres transaction wrote. */
export interface MirroredDocument {
  /** The `_id` as MongoDB holds it (ObjectId, string…): the mirror writes MongoDB by this value. */
  id: unknown;
  /** What the transaction did to it; only recorded on a gap (the drain reads the rows to decide). @defaultValue 'upsert' */
  op?: GapOp;
}

/** The documents of one collection to mirror. */
export interface MirrorBatch {
  collection: string;
  documents: readonly MirroredDocument[];
}

/** What following one transaction's writes into MongoDB came to (for metrics, tests and the bench). */
export interface MirrorReport {
  mirrored: number;
  /** Reverse gaps recorded (in the table or the fallback store). */
  gaps: number;
  /** Documents no gap store took: only a reverse sweep can find them now (logged at error). */
  unrecorded: number;
  /** Why documents became gaps (the first error; a timeout is a MirrorTimeoutError). */
  error?: unknown;
}

export { MirrorTimeoutError };

export interface Failure {
  collection: string;
  document: MirroredDocument;
  error: unknown;
}

const TIMED_OUT = Symbol('timed out');

/**
 * The pg-mode counterpart of the dual-write seam's `follow` (src/repositories/seam/dualWrite.ts): after
 * a Postgres transaction committed, write its documents into MongoDB (mirrorDocumentsOn, on `client`,
 * which the caller holds with the documents' session locks), collection by collection, so that going
 * back to `dual`/`mongo` is instant. Postgres's answer is the caller's answer: nothing MongoDB does
 * reaches the caller. A failure, or mirrors slower than `mirrorTimeoutMs` in all, make REVERSE gaps of
 * every document not yet mirrored (recordGap, direction 'reverse'), which src/mirror/drainReverse.ts
 * drains by mirroring the rows again; a write MongoDB refused for some documents only makes gaps of those.
 *
 * Never throws. `report` resolves within about `mirrorTimeoutMs` plus the gap rows; `settled` when the
 * mirror has let go of `client` (later, when the report came from a timeout): release it only then.
 */
export function followMirror(
  options: MirrorFollowOptions,
  client: pg.ClientBase,
  batches: readonly MirrorBatch[],
): { report: Promise<MirrorReport>; settled: Promise<void> } {
  const done: MirrorBatch[] = [];
  const timeoutMs = options.mirrorTimeoutMs ?? 2_000;
  // One end for the whole mirror, not one per MongoDB operation: a money flow mirrors several
  // collections with two operations each, and per-operation deadlines let an abandoned mirror hold its
  // documents' locks for several times the caller's wait when MongoDB vanished mid-mirror (every other
  // writer of those documents stalled behind it).
  const signal = AbortSignal.timeout(timeoutMs);
  const work = (async () => {
    for (const batch of batches) {
      if (batch.documents.length === 0) continue;
      try {
        await mirrorDocumentsOn(
          client,
          options.mongo,
          batch.collection,
          batch.documents.map((d) => d.id),
          // Every operation ends with the caller's wait, so an abandoned mirror lets go of its locks then.
          { signal },
        );
        done.push(batch);
      } catch (error) {
        if (!(error instanceof MirrorWriteError)) throw error;
        // The others were written: only the refused documents are gaps.
        done.push(batch);
        throw error;
      }
    }
  })();
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  const report = (async (): Promise<MirrorReport> => {
    const total = batches.reduce((sum, b) => sum + b.documents.length, 0);
    let failed: Failure[] = [];
    // The caller's wait ends when the mirror's signal does: one clock for both.
    let onAbort: (() => void) | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      onAbort = () => resolve(TIMED_OUT);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      if ((await Promise.race([work, timeout])) === TIMED_OUT)
        failed = notDone(
          batches,
          done,
          new MirrorTimeoutError(`MongoDB did not take the mirror within ${timeoutMs} ms`),
        );
    } catch (error) {
      failed = notDone(batches, done, error);
      if (error instanceof MirrorWriteError) failed.push(...refusedOf(error, batches));
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
    const report: MirrorReport = {
      mirrored: total - failed.length,
      gaps: 0,
      unrecorded: 0,
      ...(failed.length > 0 ? { error: failed[0]!.error } : {}),
    };
    if (failed.length > 0) await recordReverseGaps(options, failed, report);
    return report;
  })();
  return { report, settled };
}

/** Every document of the batches not (yet) mirrored, with the error that stopped them. */
function notDone(batches: readonly MirrorBatch[], done: readonly MirrorBatch[], error: unknown): Failure[] {
  return batches
    .filter((batch) => !done.includes(batch))
    .flatMap((batch) =>
      batch.documents.map((document) => ({ collection: batch.collection, document, error })),
    );
}

/** The documents a MirrorWriteError names, each with its own refusal. */
function refusedOf(error: MirrorWriteError, batches: readonly MirrorBatch[]): Failure[] {
  const documents = batches.find((b) => b.collection === error.collection)?.documents ?? [];
  return error.failures.map((failure) => ({
    collection: error.collection,
    document: documents.find((d) => mirrorKeyOf(d.id) === mirrorKeyOf(failure.id)) ?? { id: failure.id },
    error: new Error(failure.error),
  }));
}

/**
 * Records a reverse gap per document. Exported for the seam: a Postgres-first call that failed after
 * noting documents (its COMMIT's outcome may be unknown) records them without a mirror attempt.
 */
export async function recordReverseGaps(
  options: MirrorFollowOptions,
  failed: readonly Failure[],
  report: MirrorReport,
): Promise<void> {
  const { pool, log } = options;
  // One at a time, into the table only: Postgres has just committed, and MongoDB is what failed.
  for (const { collection, document, error } of failed) {
    try {
      await recordGapInTable(pool, {
        collection,
        id: document.id,
        op: document.op ?? 'upsert',
        direction: 'reverse',
        error,
      });
      report.gaps += 1;
    } catch (reason) {
      report.unrecorded += 1;
      log?.error(
        { collection, err: describeCause(reason) },
        'pg-mode write not mirrored and not recorded; the reverse sweep must find it',
      );
    }
  }
  log?.warn(
    {
      collections: [...new Set(failed.map((f) => f.collection))],
      documents: failed.length,
      err: describeCause(failed[0]?.error),
    },
    'MongoDB mirror became reverse gaps',
  );
}
