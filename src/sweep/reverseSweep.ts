import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { idValue } from '../collections/unmapping.js';
import type { LegacyId } from '../db/ids.js';
import { recordGap } from '../gaps/record.js';
import { isStoreUnavailable } from '../gaps/unavailable.js';
import type { Logger } from '../logger.js';
import { mirrorDocuments, MirrorWriteError, type MirrorOutcome } from '../mirror/mirrorDocuments.js';
import type { CollectionMode } from '../modes/machine.js';
import { changedLegacyIds } from './changedRows.js';
import { firstReverseSweepStart, postgresNow, type SweepCounts } from './checkpoints.js';
import { readMode, readModes, routedMode } from './modes.js';
import { REVERSE_SWEEP_DEFAULTS, sweepOptions, type SweepOptions } from './options.js';
import { sweepWindow } from './window.js';

/**
 * The reverse sweep (../shared/DESIGN.md "Dual-write", `pg` mode): the backstop for a process that died
 * between its Postgres commit and the MongoDB mirror (src/mirror/followMirror.ts), which leaves no
 * reverse gap. Every collection in `pg` mode is read for the main-table rows Postgres changed since its
 * REVERSE checkpoint less the overlap (src/sweep/changedRows.ts), and those documents are written into
 * MongoDB by mirrorDocuments, the one operation behind the mirror and the reverse gap drain: it locks,
 * re-reads the rows and writes MongoDB, so a sweep of documents MongoDB already has as the rows say
 * rewrites them identically, and may overlap itself, the mirror and the drain.
 *
 * Only `pg`: in `mongo`/`dual` MongoDB is authoritative (the forward sweep's side), and a
 * `decommissioned` collection has no mirror any more. A collection that leaves `pg` during a sweep is
 * left at the next page, its checkpoint unchanged: mirroring rows over a MongoDB that writers own again
 * could undo their writes.
 *
 * What it cannot see: a row removed outright (nothing is left to find; retireRows tombstones only
 * referenced rows), and a change to child or junction rows that did not stamp the main row. The mirror's
 * own reverse gap and verification cover those.
 */
export interface ReverseSweepContext {
  pool: pg.Pool;
  mongo: MongoDb;
  log?: Logger;
}

export interface ReverseCollectionSweep {
  collection: string;
  direction: 'reverse';
  mode: CollectionMode;
  /**
   * swept: read and mirrored, checkpoint moved to `to`. skipped: not swept (not in `pg` mode, or another
   * reverse sweep holds it right now). failed: `error` says why; checkpoint unchanged, so the next sweep
   * reads the same window again.
   */
  status: 'swept' | 'skipped' | 'failed';
  reason?: string;
  error?: string;
  /** The window read: rows changed at or after `from` (checkpoint minus overlap)… */
  from: Date | null;
  /** …up to the instant taken before the read began, the new checkpoint. */
  to: Date | null;
  /** Rows found changed in the window (documents asked of mirrorDocuments). */
  scanned: number;
  /** Written into MongoDB from a live row (of which `inserted` MongoDB did not hold). */
  mirrored: number;
  inserted: number;
  /** Deleted from MongoDB: the row is tombstoned as deleted (or was removed since the scan). */
  deleted: number;
  /** Left alone: rejected in Postgres, so MongoDB keeps the data the mapping could not take. */
  skipped: number;
  /** Documents whose mirror failed and that went to the reverse gaps (the drain retries them). */
  gaps: number;
  batches: number;
  ms: number;
}

export interface ReverseSweepResult {
  /** One entry per collection asked for, in backfill order. */
  collections: ReverseCollectionSweep[];
  /** Totals over the collections swept. */
  scanned: number;
  mirrored: number;
  deleted: number;
  skipped: number;
  gaps: number;
  failed: number;
  ms: number;
}

export interface ReverseSweepOptions extends Partial<SweepOptions> {
  /** @defaultValue 'all' */
  collections?: readonly string[] | 'all';
}

export interface ReverseCollectionOptions extends Partial<SweepOptions> {
  /** The new checkpoint, an instant taken before the read began. @defaultValue Postgres' clock now */
  startedAt?: Date;
  /** The collection's mode when the caller already read it. @defaultValue read here */
  mode?: CollectionMode;
}

/**
 * One reverse round: every asked-for collection in `pg` mode, all with ONE new checkpoint taken before
 * the first read. A collection that fails does not stop the others; it keeps its checkpoint.
 */
export async function sweepReverse(
  ctx: ReverseSweepContext,
  options: ReverseSweepOptions = {},
): Promise<ReverseSweepResult> {
  const started = Date.now();
  const names = REGISTRY.select(options.collections ?? 'all');
  const modes = await readModes(ctx.pool);
  const startedAt = await postgresNow(ctx.pool);
  const collections: ReverseCollectionSweep[] = [];
  for (const collection of names) {
    const mode = modes.get(collection) ?? 'mongo';
    try {
      collections.push(await sweepReverseCollection(ctx, collection, { ...options, startedAt, mode }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.log?.error({ collection, err: message }, 'reverse sweep: collection failed; its checkpoint stays');
      collections.push({ ...emptyReverseSweep(collection, mode), status: 'failed', error: message });
    }
  }
  const sum = (key: 'scanned' | 'mirrored' | 'deleted' | 'skipped' | 'gaps') =>
    collections.reduce((n, c) => n + c[key], 0);
  return {
    collections,
    scanned: sum('scanned'),
    mirrored: sum('mirrored'),
    deleted: sum('deleted'),
    skipped: sum('skipped'),
    gaps: sum('gaps'),
    failed: collections.filter((c) => c.status === 'failed').length,
    ms: Date.now() - started,
  };
}

/**
 * Reverse-sweeps one collection: pages through the rows changed since its reverse checkpoint less the
 * overlap, mirrors each page, and moves the checkpoint to the instant taken before the read. Throws
 * when a store is unreachable (checkpoint unchanged); stops, `skipped`, when the collection left `pg`
 * meanwhile (an operator's flip is no failure; checkpoint unchanged); a page that fails
 * for any other reason is retried document by document, and a document that still fails becomes a
 * reverse gap. One reverse sweep of a collection at a time (a session advisory lock, its own key: a
 * forward and a reverse sweep of one collection are never both active anyway).
 */
export async function sweepReverseCollection(
  ctx: ReverseSweepContext,
  collection: string,
  input: ReverseCollectionOptions = {},
): Promise<ReverseCollectionSweep> {
  const spec = REGISTRY.get(collection); // UnknownCollectionError
  const options = sweepOptions(
    { overlapMs: input.overlapMs, batchSize: input.batchSize },
    REVERSE_SWEEP_DEFAULTS,
  );
  const mode = input.mode ?? (await readMode(ctx.pool, collection));
  const result = emptyReverseSweep(collection, mode);
  if (mode !== 'pg') return { ...result, reason: skipReason(mode) };
  if (!spec.unmap) return { ...result, reason: 'no reverse mapping (spec.unmap)' };

  return sweepWindow({
    pool: ctx.pool,
    log: ctx.log,
    collection,
    direction: 'reverse',
    label: 'reverse sweep',
    startedAt: input.startedAt,
    overlapMs: options.overlapMs,
    result,
    firstStart: firstReverseSweepStart,
    neverStarted: 'never entered pg mode',
    read: (from, swept) => mirrorChanged(ctx, from, options.batchSize, swept),
    counts: reverseCounts,
  });
}

/**
 * Mirrors the rows changed at or after `from`, page by page in legacy-id order. Returns the `skipped`
 * result to stop with when the collection left `pg` meanwhile.
 */
async function mirrorChanged(
  ctx: ReverseSweepContext,
  from: Date,
  batchSize: number,
  swept: ReverseCollectionSweep,
): Promise<ReverseCollectionSweep | undefined> {
  const collection = swept.collection;
  const spec = REGISTRY.get(collection);
  let after: LegacyId | null = null;
  for (;;) {
    const page = await changedLegacyIds(ctx.pool, spec, { since: from, after, limit: batchSize });
    if (page.length === 0) return undefined;
    // Between pages, not only at the start: a flip back to dual makes MongoDB the writers' side again.
    const now = await routedMode(ctx.pool, collection);
    if (now !== 'pg')
      return {
        ...swept,
        status: 'skipped',
        to: null,
        reason: `left pg mode (now ${now}): checkpoint unchanged`,
      };
    await mirrorBatch(ctx, collection, page, swept);
    after = page[page.length - 1]!;
    if (page.length < batchSize) return undefined;
  }
}

/** Mirrors one page; `_id`s as MongoDB holds them (idValue), which is how mirrorDocuments keys its writes. */
async function mirrorBatch(
  ctx: ReverseSweepContext,
  collection: string,
  legacyIds: readonly LegacyId[],
  into: ReverseCollectionSweep,
): Promise<void> {
  into.batches += 1;
  into.scanned += legacyIds.length;
  const ids = legacyIds.map((legacyId) => idValue(legacyId));
  try {
    add(into, await mirrorDocuments(ctx.pool, ctx.mongo, collection, ids));
    return;
  } catch (error) {
    if (await settleRefused(ctx, collection, error, into)) return;
    // A store out of reach fails the sweep (checkpoint unchanged): retrying per document would only
    // wait out the outage once per document.
    if (isStoreUnavailable(error)) throw error;
    if (ids.length === 1) {
      await toGap(ctx, collection, ids[0], error);
      into.gaps += 1;
      return;
    }
  }
  // One bad document must not hold back the page, nor the checkpoint: each is mirrored alone, and one
  // that still fails is handed to the reverse drain (backoff, dead letters).
  for (const id of ids) {
    // This loop can outlast the page's mode check by a long way: once MongoDB is the writers' side
    // again, a mirror would replace a document under their writes.
    const now = await routedMode(ctx.pool, collection);
    if (now !== 'pg') throw new Error(`${collection} left pg mode (now ${now}) during the sweep`);
    try {
      add(into, await mirrorDocuments(ctx.pool, ctx.mongo, collection, [id]));
    } catch (error) {
      if (await settleRefused(ctx, collection, error, into)) continue;
      if (isStoreUnavailable(error)) throw error;
      await toGap(ctx, collection, id, error);
      into.gaps += 1;
    }
  }
}

/**
 * MongoDB refused some documents (a unique index) and wrote the others: count what was written, and
 * make a reverse gap of each refused one, whose retry could succeed once the conflicting document moves.
 */
async function settleRefused(
  ctx: ReverseSweepContext,
  collection: string,
  error: unknown,
  into: ReverseCollectionSweep,
): Promise<boolean> {
  if (!(error instanceof MirrorWriteError)) return false;
  add(into, error.outcome);
  for (const failure of error.failures) {
    await toGap(ctx, collection, failure.id, new Error(failure.error));
    into.gaps += 1;
  }
  return true;
}

async function toGap(
  ctx: ReverseSweepContext,
  collection: string,
  id: unknown,
  error: unknown,
): Promise<void> {
  ctx.log?.warn(
    { collection, err: error instanceof Error ? error.message : String(error) },
    'reverse sweep: mirror failed',
  );
  // Throws GapNotRecordedError when neither store takes it: the sweep fails and keeps its checkpoint.
  await recordGap(
    { pool: ctx.pool, mongo: ctx.mongo },
    { collection, id, op: 'upsert', direction: 'reverse', error },
  );
}

function add(into: ReverseCollectionSweep, outcome: MirrorOutcome): void {
  into.mirrored += outcome.replaced;
  into.inserted += outcome.inserted;
  into.deleted += outcome.deleted;
  into.skipped += outcome.skipped;
}

/** The checkpoint row's columns, shared with the forward sweep: synced = mirrored, rejected = left alone. */
function reverseCounts(sweep: ReverseCollectionSweep): SweepCounts {
  return {
    scanned: sweep.scanned,
    synced: sweep.mirrored,
    rejected: sweep.skipped,
    departed: sweep.deleted,
  };
}

function skipReason(mode: CollectionMode): string {
  switch (mode) {
    case 'mongo':
    case 'dual':
      return `mode is ${mode}: MongoDB is authoritative (the forward sweep's side)`;
    case 'decommissioned':
      return 'mode is decommissioned: MongoDB is no longer mirrored';
    case 'pg':
      return '';
  }
}

function emptyReverseSweep(collection: string, mode: CollectionMode): ReverseCollectionSweep {
  return {
    collection,
    direction: 'reverse',
    mode,
    status: 'skipped',
    from: null,
    to: null,
    scanned: 0,
    mirrored: 0,
    inserted: 0,
    deleted: 0,
    skipped: 0,
    gaps: 0,
    batches: 0,
    ms: 0,
  };
}
