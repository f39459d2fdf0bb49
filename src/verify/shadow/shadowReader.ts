import type pg from 'pg';
import type { Logger } from '../../logger.js';
import type { CollectionMode } from '../../modes/machine.js';
import { CountBuffer } from './countBuffer.js';
import { diffAnswers, type FieldDifference } from './diff.js';
import { applyKnownLosses } from './losses.js';
import { withoutRecordedLosses } from './recordedLosses.js';
import { shadowReadsCounter, type ShadowOutcome, type ShadowReadsCounter } from './metrics.js';
import { insertShadowMismatch, noteRecheckFailed, settleShadowMismatch } from './mismatchRows.js';
import { normaliseAnswer } from './normalise.js';
import { shadowReadSettings, type ShadowReadSettings } from './options.js';
import { isShadowRead } from './readMethods.js';
import { Slots } from './slots.js';
import { upsertShadowCounts } from './upsertCounts.js';

/** One repository call as the routed proxy saw it go to MongoDB (src/repositories/seam/routed.ts). */
export interface ObservedCall {
  readonly collection: string;
  readonly method: string;
  readonly args: readonly unknown[];
  /** The caller's answer; the shadow only waits on it, never changes or delays it. */
  readonly answer: Promise<unknown>;
  /** The domain's two repositories, to ask the same read again. */
  readonly mongo: object;
  readonly pg: object;
}

/** What routed() needs: a synchronous, non-throwing look at a MongoDB-routed call. */
export interface ShadowObserver {
  observe(call: ObservedCall): void;
}

export interface ShadowReaderOptions extends Partial<ShadowReadSettings> {
  /** Where counts and mismatches are written: the repositories' control pool, never the callers' pool. */
  pool: Pick<pg.Pool, 'query'>;
  /** The live routing mode (ModeReader): only reads routed in `dual` are shadowed. */
  modes: { routing(collection: string): Promise<CollectionMode> };
  log?: Logger;
  counter?: ShadowReadsCounter;
  /** For tests: the sampling draw. @defaultValue Math.random */
  random?: () => number;
}

/** How long close() waits for shadow reads in flight before flushing without them. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Shadow reads (DESIGN.md "Verify"): in `dual` mode a sampled share of repository reads, once MongoDB
 * has answered the caller, is asked again of the Drizzle repository, and the two domain objects are
 * compared after normalising (./normalise.ts). Each outcome is counted (./countBuffer.ts, prom-client);
 * a difference is stored `settling` and, after `recheckMs`, asked again of both stores: still different
 * is `confirmed`, else `cleared` (under live writes Postgres trails MongoDB by the sync).
 *
 * Nothing here is on the caller's path: observe() only chains onto the answer the caller already has;
 * every failure (Postgres down, a storage error) is counted or logged, never thrown, never unhandled.
 */
export class ShadowReader implements ShadowObserver {
  readonly settings: ShadowReadSettings;
  readonly #pool: Pick<pg.Pool, 'query'>;
  readonly #modes: ShadowReaderOptions['modes'];
  readonly #log: Logger | undefined;
  readonly #counter: ShadowReadsCounter;
  readonly #random: () => number;
  readonly #slots: Slots;
  readonly #counts = new CountBuffer();
  readonly #inFlight = new Set<Promise<void>>();
  /** Rechecks scheduled, by read and arguments: the same read differing again waits on the same one. */
  readonly #pending = new Map<string, NodeJS.Timeout>();
  readonly #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(options: ShadowReaderOptions) {
    this.settings = shadowReadSettings(options);
    this.#pool = options.pool;
    this.#modes = options.modes;
    this.#log = options.log;
    this.#counter = options.counter ?? shadowReadsCounter();
    this.#random = options.random ?? Math.random;
    this.#slots = new Slots(this.settings.maxInFlight);
    if (this.settings.share > 0) {
      this.#flushTimer = setInterval(() => void this.flush(), this.settings.flushMs);
      this.#flushTimer.unref();
    }
  }

  observe(call: ObservedCall): void {
    if (this.#closed || this.settings.share <= 0) return;
    if (!isShadowRead(call.collection, call.method)) return;
    if (this.#random() >= this.settings.share) return;
    // The caller owns the answer's objects once it has them and may change them: the Mongo side is
    // normalised in the callback that runs before the caller's own continuation.
    const done = call.answer.then(
      (answer) => this.#shadow(call, this.#normalised(call.collection, answer)),
      () => undefined, // The caller gets MongoDB's error; there is nothing to compare.
    );
    this.#track(done);
  }

  /** Adds the counts so far to `shadow_read_counts`; failed flushes are retried by the next one. */
  flush(): Promise<void> {
    this.#flushing ??= (async () => {
      const rows = this.#counts.take();
      try {
        await upsertShadowCounts(this.#pool, rows);
      } catch (error) {
        this.#counts.restore(rows);
        this.#log?.warn({ err: error }, 'shadow reads: cannot store counts; kept for the next flush');
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  /** Resolves when the shadow reads in flight now have finished (and been counted). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /**
   * Stops sampling and timers, waits a bounded time for reads in flight, flushes the counts. Pending
   * rechecks are dropped: their rows stay `settling`, which no gate reads as confirmed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#flushTimer);
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    this.#slots.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
    await this.#flushing;
    await this.flush();
  }

  async #shadow(call: ObservedCall, fromMongo: unknown): Promise<void> {
    const mode = await this.#modes.routing(call.collection).catch(() => null);
    if (mode !== 'dual') return;
    if (!this.#slots.tryAcquire()) return this.#count(call, 'skipped');
    let fromPg: unknown;
    try {
      fromPg = this.#normalised(call.collection, await ask(call.pg, call.method, call.args));
    } catch (error) {
      this.#log?.debug({ err: error, collection: call.collection, read: call.method }, 'shadow read failed');
      return this.#count(call, 'failed');
    } finally {
      this.#slots.release();
    }
    const differences = await this.#unexplained(call.collection, fromMongo, diffAnswers(fromMongo, fromPg));
    if (differences.length === 0) return this.#count(call, 'match');
    this.#count(call, 'mismatch');
    await this.#record(call, fromMongo, fromPg, differences);
  }

  async #record(
    call: ObservedCall,
    fromMongo: unknown,
    fromPg: unknown,
    differences: FieldDifference[],
  ): Promise<void> {
    const key = `${call.collection}\u0000${call.method}\u0000${JSON.stringify(call.args)}`;
    if (this.#pending.has(key)) return; // Already stored and awaiting its recheck.
    let id: number;
    try {
      id = await insertShadowMismatch(this.#pool, {
        collection: call.collection,
        read: call.method,
        args: call.args,
        legacyId: legacyIdOf(call, fromMongo, fromPg, differences),
        differences,
      });
    } catch (error) {
      this.#log?.warn({ err: error, collection: call.collection }, 'shadow reads: cannot store a mismatch');
      return;
    }
    if (this.#closed || this.#pending.size >= this.settings.maxPendingRechecks) return;
    const timer = setTimeout(() => {
      this.#pending.delete(key);
      this.#track(this.#recheck(call, id));
    }, this.settings.recheckMs);
    timer.unref();
    this.#pending.set(key, timer);
  }

  /** Asks both stores again; the verdict settles the stored mismatch. */
  async #recheck(call: ObservedCall, id: number): Promise<void> {
    if (!(await this.#slots.acquire())) return;
    let differences: FieldDifference[];
    try {
      const [fromMongo, fromPg] = await Promise.all([
        ask(call.mongo, call.method, call.args),
        ask(call.pg, call.method, call.args),
      ]);
      const mongoAnswer = this.#normalised(call.collection, fromMongo);
      differences = await this.#unexplained(
        call.collection,
        mongoAnswer,
        diffAnswers(mongoAnswer, this.#normalised(call.collection, fromPg)),
      );
    } catch (error) {
      await noteRecheckFailed(this.#pool, id, String(error)).catch(() => undefined);
      return;
    } finally {
      this.#slots.release();
    }
    const status = differences.length > 0 ? 'confirmed' : 'cleared';
    await settleShadowMismatch(this.#pool, id, { status, differences }).catch((error: unknown) =>
      this.#log?.warn({ err: error, id }, 'shadow reads: cannot store a recheck'),
    );
  }

  /** The differences left once those the backfill recorded as a loss for that document are set aside. */
  async #unexplained(
    collection: string,
    fromMongo: unknown,
    differences: FieldDifference[],
  ): Promise<FieldDifference[]> {
    if (differences.length === 0) return differences;
    return withoutRecordedLosses(this.#pool, collection, fromMongo, differences);
  }

  #normalised(collection: string, answer: unknown): unknown {
    return applyKnownLosses(collection, normaliseAnswer(answer));
  }

  #count(call: ObservedCall, outcome: ShadowOutcome): void {
    this.#counter.inc({ collection: call.collection, read: call.method, outcome });
    if (outcome === 'match') this.#counts.add(call.collection, call.method, 'compared');
    else if (outcome === 'mismatch') this.#counts.add(call.collection, call.method, 'mismatched');
    else if (outcome === 'failed') this.#counts.add(call.collection, call.method, 'failed');
  }

  #track(work: Promise<void>): void {
    const safe = work.catch((error: unknown) =>
      this.#log?.warn({ err: error }, 'shadow reads: unexpected failure'),
    );
    this.#inFlight.add(safe);
    void safe.finally(() => this.#inFlight.delete(safe));
  }
}

/** Calls `method` of a repository; a synchronous throw becomes a rejection. */
async function ask(repo: object, method: string, args: readonly unknown[]): Promise<unknown> {
  const fn = Reflect.get(repo, method, repo) as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(repo, [...args]);
}

/** The document a mismatch is about: the id read, the object answered, or a list's first differing element. */
function legacyIdOf(
  call: ObservedCall,
  fromMongo: unknown,
  fromPg: unknown,
  differences: readonly FieldDifference[],
): string | null {
  if (call.method === 'findById' && typeof call.args[0] === 'string') return call.args[0];
  const index = /^\[(\d+)\]/.exec(differences[0]?.field ?? '')?.[1];
  const pick = (answer: unknown): unknown =>
    index !== undefined && Array.isArray(answer) ? answer[Number(index)] : answer;
  for (const candidate of [pick(fromMongo), pick(fromPg)]) {
    const id = (candidate as { id?: unknown } | null)?.id;
    if (typeof id === 'string') return id;
  }
  return null;
}
