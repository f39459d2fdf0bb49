import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { describeCause } from '../../gaps/describeError.js';
import type { Logger } from '../../logger.js';
import { isStoreUnavailable } from '../../gaps/unavailable.js';
import {
  followMirror,
  MirrorTimeoutError,
  recordReverseGaps,
  type MirrorBatch,
  type MirrorFollowOptions,
  type MirrorReport,
} from '../../mirror/followMirror.js';
import type { CollectionMode } from '../../modes/machine.js';
import { REGISTRY } from '../../collections/registry.js';
import { holdDocuments, releaseHeldDocuments } from '../../sync/locks.js';
import { withCommitFollower, type CommitFollower } from '../pg/transaction.js';
import { withWriteLog, WriteLog, type WrittenDocument } from './writeLog.js';

/** The mode a call is routed by (src/modes/reader.ts ModeReader.routing). */
export interface RoutingSource {
  routing(collection: string): Promise<CollectionMode>;
  /** Forgets what was read: the next `routing` reads the modes (and gap counts) afresh. */
  invalidate(): void;
}

export interface PgFirstOptions {
  pool: pg.Pool;
  /**
   * Where reverse gaps are written: NOT the data pool. A call holding its documents' locks until its
   * mirror ends must not wait for a data-pool client that the calls waiting for those locks hold.
   * @defaultValue pool
   */
  gapPool?: pg.Pool;
  /** The MongoDB mirrored after each commit; it also holds the gap fallback. */
  mongo: MongoDb;
  modes: RoutingSource;
  log?: Logger;
  /** How long a call waits for MongoDB to take its mirror before the rest become reverse gaps. @defaultValue 2000 */
  mirrorTimeoutMs?: number;
  /**
   * After a mirror failed because MongoDB is out of reach (or timed out), how long mirrors are not even
   * tried: their documents go straight to reverse gaps. @defaultValue 1000
   */
  mirrorPauseMs?: number;
}

/**
 * The pg-mode seam (plan Phase 4, ../shared/DESIGN.md "pg mode is the mirror image"): a Drizzle
 * repository call writes Postgres in its own transaction(s), whose commit is the caller's answer; then
 * every document each transaction wrote is written into MongoDB as the rows now hold it
 * (src/mirror/followMirror.ts), so that going back to `dual` or `mongo` is instant and loses nothing.
 * A collection in `decommissioned` is not mirrored. MongoDB failing or slow becomes reverse gaps; the
 * caller never sees it, and waits at most about `mirrorTimeoutMs` for it, plus the gap rows.
 *
 * The lock discipline that makes the mirror safe: the transaction holds each document's advisory lock
 * (claimDocuments), and just before COMMIT the same keys are taken SESSION-scoped on the same client.
 * They outlive the commit, and the mirror runs on that client, so no forward sync (a dual-mode process
 * that has not seen the flip yet, a gap drain) can read MongoDB between the commit and the mirror and
 * write a state older than the commit over it. They are released once MongoDB has answered, or when
 * the mirror's operations were aborted at the end of the caller's wait.
 *
 * A COMMIT whose outcome is unknown (the connection died during it) makes reverse gaps of what the
 * transaction wrote: the drain mirrors whatever Postgres holds, which is right either way.
 */
export class PgFirstSeam {
  readonly #options: PgFirstOptions;
  readonly #breaker: MirrorBreaker;

  constructor(options: PgFirstOptions) {
    this.#options = options;
    this.#breaker = new MirrorBreaker(options.mirrorPauseMs ?? 1_000);
  }

  /** Runs one Drizzle repository call, mirroring each transaction it commits; throws what the call threw. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const log = new WriteLog();
    // Decided before the call takes any lock: a probe of an unreachable MongoDB must not hold them.
    const mirroring = await this.#breaker.admit(() =>
      this.#options.mongo.command(
        { ping: 1 },
        { signal: AbortSignal.timeout(this.#options.mirrorTimeoutMs ?? 2_000) },
      ),
    );
    const follower = new MirrorAfterCommit(this.#options, this.#breaker, mirroring, log);
    const { outcome } = await withWriteLog(() => withCommitFollower(follower, call), log);
    await follower.recordUnknownCommits();
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}

/** The CommitFollower of one call: locks before COMMIT, mirrors after it. */
class MirrorAfterCommit implements CommitFollower {
  readonly #options: PgFirstOptions;
  readonly #breaker: MirrorBreaker;
  /** Whether this call mirrors at all (false: the breaker is open, its documents go to reverse gaps). */
  readonly #mirroring: boolean;
  readonly #log: WriteLog;
  /** What the transaction being committed wrote (taken from the write log just before COMMIT). */
  #committing: WrittenDocument[] = [];
  /** Written by a transaction whose COMMIT failed: it may have committed. */
  readonly #unknown: WrittenDocument[] = [];

  constructor(options: PgFirstOptions, breaker: MirrorBreaker, mirroring: boolean, log: WriteLog) {
    this.#options = options;
    this.#breaker = breaker;
    this.#mirroring = mirroring;
    this.#log = log;
  }

  async beforeCommit(client: pg.PoolClient): Promise<void> {
    this.#committing = this.#log.take();
    for (const [collection, documents] of byCollection(this.#committing))
      await holdDocuments(
        client,
        collection,
        documents.map((d) => d.id),
      );
  }

  async afterCommit(client: pg.PoolClient, release: (error?: Error) => void): Promise<void> {
    const written = this.#committing;
    this.#committing = [];
    let batches: MirrorBatch[] = [];
    try {
      batches = await this.#mirrored(written);
    } catch (error) {
      // No mode known at all: mirroring is the safe side (a decommissioned collection's MongoDB is unused).
      this.#options.log?.warn({ err: describeCause(error) }, 'modes unreadable; mirroring anyway');
      batches = [...byCollection(written)].map(([collection, documents]) => ({ collection, documents }));
    }
    const letGo = (settled: Promise<void>) =>
      void settled
        .then(() => releaseHeldDocuments(client))
        .then(
          () => release(),
          (error: unknown) => release(error instanceof Error ? error : new Error(String(error))),
        );
    if (!this.#mirroring) {
      // MongoDB was out of reach a moment ago: don't make this caller wait out the timeout again.
      letGo(Promise.resolve());
      const error = new Error('MongoDB out of reach (mirror paused after a failure)');
      await recordReverseGaps(
        this.#mirrorOptions(),
        batches.flatMap((b) =>
          b.documents.map((document) => ({ collection: b.collection, document, error })),
        ),
        { mirrored: 0, gaps: 0, unrecorded: 0 },
      );
      return;
    }
    const { report, settled } = followMirror(this.#mirrorOptions(), client, batches);
    letGo(settled);
    const { error } = await report;
    if (error !== undefined && mongoOutOfReach(error)) this.#breaker.trip();
  }

  async afterRollback(client: pg.PoolClient, commitFailed: boolean): Promise<void> {
    if (commitFailed) this.#unknown.push(...this.#committing);
    this.#committing = [];
    await releaseHeldDocuments(client);
  }

  /** Reverse gaps for what a failed COMMIT may have committed. */
  async recordUnknownCommits(): Promise<MirrorReport | undefined> {
    if (this.#unknown.length === 0) return undefined;
    const error = new Error('the COMMIT failed: whether Postgres committed is unknown');
    const report: MirrorReport = { mirrored: 0, gaps: 0, unrecorded: 0 };
    await recordReverseGaps(
      this.#mirrorOptions(),
      this.#unknown.map((d) => ({ collection: d.collection, document: d, error })),
      report,
    );
    return report;
  }

  /** The batches to mirror, parents first: every collection written except the decommissioned ones. */
  async #mirrored(written: readonly WrittenDocument[]): Promise<MirrorBatch[]> {
    const grouped = byCollection(written);
    const batches: MirrorBatch[] = [];
    for (const collection of REGISTRY.order) {
      const documents = grouped.get(collection);
      if (!documents) continue;
      // Postgres only there: nothing reads that MongoDB any more, and a way back goes through pg first.
      if ((await this.#options.modes.routing(collection)) === 'decommissioned') continue;
      batches.push({ collection, documents });
    }
    return batches;
  }

  #mirrorOptions(): MirrorFollowOptions {
    const { pool, gapPool, mongo, log, mirrorTimeoutMs } = this.#options;
    return { pool: gapPool ?? pool, mongo, log, mirrorTimeoutMs };
  }
}

/**
 * Trips when a mirror fails for want of MongoDB. While tripped, calls do not mirror: their documents go
 * straight to reverse gaps, so a MongoDB outage costs each pg-mode call a gap row instead of the mirror's
 * whole timeout, and no call holds its documents' locks waiting on MongoDB. Every `pauseMs` one call
 * pings MongoDB BEFORE it takes any lock: an answer closes the breaker (that call and the next ones
 * mirror), silence trips it for another pause.
 */
class MirrorBreaker {
  #trippedUntil: number | null = null;
  #probing = false;

  constructor(private readonly pauseMs: number) {}

  /** Whether a call starting now should mirror; `ping` is sent only when it is time to probe. */
  async admit(ping: () => Promise<unknown>): Promise<boolean> {
    if (this.#trippedUntil === null) return true;
    if (this.#probing || performance.now() < this.#trippedUntil) return false;
    this.#probing = true;
    try {
      await ping();
      this.#trippedUntil = null;
      return true;
    } catch {
      this.trip();
      return false;
    } finally {
      this.#probing = false;
    }
  }

  trip(): void {
    this.#trippedUntil = performance.now() + this.pauseMs;
  }
}

/** MongoDB unreachable, or not answering within the caller's wait. */
function mongoOutOfReach(error: unknown): boolean {
  return isStoreUnavailable(error) || error instanceof MirrorTimeoutError;
}

function byCollection(documents: readonly WrittenDocument[]): Map<string, WrittenDocument[]> {
  const grouped = new Map<string, WrittenDocument[]>();
  for (const document of documents) {
    const list = grouped.get(document.collection) ?? [];
    list.push(document);
    grouped.set(document.collection, list);
  }
  return grouped;
}
