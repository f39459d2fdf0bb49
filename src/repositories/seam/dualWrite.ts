import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import { recordGap, GapNotRecordedError } from '../../gaps/record.js';
import { describeCause } from '../../gaps/describeError.js';
import type { Logger } from '../../logger.js';
import type { CollectionMode } from '../../modes/machine.js';
import { syncDocuments } from '../../sync/syncDocuments.js';
import { withWriteLog, type WriteLog, type WrittenDocument } from './writeLog.js';

/** The live mode of a collection, as src/modes/reader.ts ModeReader answers it. */
export interface ModeSource {
  get(collection: string): Promise<CollectionMode>;
}

export interface DualWriteOptions {
  pool: pg.Pool;
  /** The source database: the sync reads the written documents back from it; it holds the gap fallback. */
  mongo: MongoDb;
  modes: ModeSource;
  log?: Logger;
  /**
   * How long the caller waits for Postgres to take a collection's documents before they become gaps. A
   * sync still running then is left to finish on its own (and the gap drain makes it harmless if it
   * does). @defaultValue 2000
   */
  syncTimeoutMs?: number;
  /** How long the gap table may take before the gap goes to the fallback store. @defaultValue 1000 */
  gapTimeoutMs?: number;
}

/** What following one call's writes into Postgres came to (for metrics, tests and the bench). */
export interface FollowReport {
  synced: number;
  gaps: number;
  /** Documents neither store took: only the delta sweep can find them now (logged at error). */
  unrecorded: number;
}

const TIMED_OUT = Symbol('timed out');

/**
 * The dual-write seam (plan §5, ../shared/DESIGN.md "Dual-write"): a repository call writes MongoDB,
 * whose answer is the caller's answer; then every document it wrote, in every collection whose mode is
 * past `mongo`, is brought into Postgres by the one sync operation the backfill chunks, retries and gap
 * drains use (src/sync/syncDocuments.ts), so there is one mapping and one write path.
 *
 * Nothing Postgres does reaches the caller: a failure or a timeout becomes a gap row, an unreachable
 * Postgres a record in the MongoDB fallback store, each within a bounded time. The caller waits at most
 * about `syncTimeoutMs + gapTimeoutMs` per collection written, plus a fallback write into MongoDB.
 *
 * Why the caller waits for the follow-up (bounded) instead of getting its answer first: causality. A
 * service that creates a user, then (in this process or, having passed the id on, in another) a payment
 * of hers, must find the user's row in Postgres when the payment is synced, or the payment would be
 * refused for a missing parent. Answering first would let the payment's sync overtake the user's. The
 * price is the sync's latency on each write (`npm run bench -- --dual-write`).
 *
 * Calls of a collection routed to Postgres (`pg`, `decommissioned`) never come here (./routed.ts); a
 * Mongo-first call's side effect on such a collection is still followed, under the same locks as the
 * pg-mode mirror (./pgFirst.ts), so the last to take a document's lock leaves both stores agreeing.
 */
export class DualWriteSeam {
  readonly #options: Required<Omit<DualWriteOptions, 'log'>> & { log: Logger | undefined };

  constructor(options: DualWriteOptions) {
    this.#options = {
      ...options,
      syncTimeoutMs: options.syncTimeoutMs ?? 2_000,
      gapTimeoutMs: options.gapTimeoutMs ?? 1_000,
      log: options.log,
    };
  }

  /** Runs one repository call and follows what it wrote; throws what the call threw, after following. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const { log, outcome } = await withWriteLog(call);
    if (log.size > 0) await this.follow(log);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /**
   * Brings a call's documents into Postgres, collection by collection in dependency order: a new user
   * and her first address in one call must reach Postgres parent first, or the address would resolve
   * no owner.
   */
  async follow(log: WriteLog): Promise<FollowReport> {
    const report: FollowReport = { synced: 0, gaps: 0, unrecorded: 0 };
    const written = new Set(log.collections);
    for (const collection of REGISTRY.order) {
      if (!written.has(collection)) continue;
      const documents = log.documentsOf(collection);
      let mode: CollectionMode;
      try {
        mode = await this.#options.modes.get(collection);
      } catch (error) {
        // No mode known at all (Postgres down since this process started): a gap is the safe side. A
        // drain of a collection still in mongo mode only copies what a backfill would copy anyway.
        await this.#recordGaps(collection, documents, error, report);
        continue;
      }
      if (mode === 'mongo') continue;
      try {
        await this.#sync(collection, documents);
        report.synced += documents.length;
      } catch (error) {
        await this.#recordGaps(collection, documents, error, report);
      }
    }
    return report;
  }

  async #sync(collection: string, documents: readonly WrittenDocument[]): Promise<void> {
    const { pool, mongo, syncTimeoutMs } = this.#options;
    const sync = syncDocuments(
      pool,
      mongo,
      collection,
      documents.map((d) => d.id),
    );
    // Abandoned on timeout but still running: its outcome is no longer anyone's to report.
    sync.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), syncTimeoutMs);
    });
    try {
      if ((await Promise.race([sync, timeout])) === TIMED_OUT)
        throw new Error(`Postgres did not take the sync within ${syncTimeoutMs} ms`);
    } finally {
      clearTimeout(timer);
    }
  }

  async #recordGaps(
    collection: string,
    documents: readonly WrittenDocument[],
    error: unknown,
    report: FollowReport,
  ): Promise<void> {
    const { pool, mongo, gapTimeoutMs, log } = this.#options;
    const outcomes = await Promise.allSettled(
      documents.map((d) =>
        recordGap({ pool, mongo }, { collection, id: d.id, op: d.op, error }, { timeoutMs: gapTimeoutMs }),
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
        'dual write not followed and not recorded; the delta sweep must find it',
      );
    }
    log?.warn(
      { collection, documents: documents.length, err: describeCause(error) },
      'dual write became gaps',
    );
  }
}
