import type { Db as MongoDb, Document } from 'mongodb';
import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { recordGap } from '../gaps/record.js';
import { isStoreUnavailable } from '../gaps/unavailable.js';
import type { Logger } from '../logger.js';
import { assertNever, type CollectionMode } from '../modes/machine.js';
import { syncDocuments } from '../sync/syncDocuments.js';
import { firstSweepStart, postgresNow, type SweepCounts } from './checkpoints.js';
import { changedSince, clockOf, type SweepClock } from './clock.js';
import { readMode, readModes } from './modes.js';
import { sweepOptions, type SweepOptions } from './options.js';
import { sweepWindow } from './window.js';

/**
 * The delta sweep (../shared/DESIGN.md "Dual-write"): the backstop for a process that died between its
 * MongoDB write and the seam's sync, which leaves no gap row and no fallback record. Every collection
 * past `mongo` mode is read for the documents changed since its checkpoint (by `updatedAt`, or by
 * ObjectId time: src/sweep/clock.ts), and those are brought into Postgres by syncDocuments, the one
 * operation behind backfill chunks, dual writes and gap drains. A sweep of documents Postgres already
 * has as MongoDB has them writes nothing, so the sweep may overlap itself, the seam and the drain.
 *
 * Deletions leave nothing for a change scan to find: a document deleted in MongoDB is not seen here
 * (only one deleted between the scan and its sync is, as `departed`). Deletes are covered by the
 * dual-write seam (a delete is followed like any write, and a failed one becomes a gap), by the gap
 * drain, and by the backfill, whose every run finds and settles the documents that left MongoDB, and
 * verification proves it; the sweep adds nothing for them.
 *
 * A collection that went back to `mongo` and forward again keeps its checkpoint: the next sweep reads
 * from it, so the writes made while the seam did not follow the collection are read too.
 *
 * Cost on a real MongoDB: an objectId-clock collection is read through the `_id` index; an
 * updatedAt-clock one wants an index on `updatedAt` (the sweep creates none on the source), or each
 * sweep scans the collection.
 *
 * Only `dual` collections are swept. In `pg` and `decommissioned` mode Postgres is authoritative:
 * MongoDB is at best its mirror, and reading it into Postgres would overwrite the newer side with the
 * older one. The reverse sweep (src/sweep/reverseSweep.ts) is pg mode's backstop. The forward
 * checkpoint of a collection in `pg` stays where it was, so after a rollback to `dual` the next sweep
 * reads what MongoDB received meanwhile (the mirror's writes, which sync to what Postgres has).
 */
export interface SweepContext {
  pool: pg.Pool;
  mongo: MongoDb;
  log?: Logger;
}

export interface CollectionSweep extends SweepCounts {
  collection: string;
  direction: 'forward';
  mode: CollectionMode;
  clock: SweepClock;
  /**
   * swept: read and synced, checkpoint moved to `to`. skipped: not swept (its mode is not `dual`, it
   * never left `mongo`, or another sweep holds it right now). failed: `error` says why; checkpoint unchanged,
   * so the next sweep reads the same window again.
   */
  status: 'swept' | 'skipped' | 'failed';
  reason?: string;
  error?: string;
  /** The window read: documents changed at or after `from` (checkpoint minus overlap)… */
  from: Date | null;
  /** …up to the instant taken before the read began, the new checkpoint. */
  to: Date | null;
  /** Documents whose sync failed and that went to the gap table (the drain retries them). */
  gaps: number;
  batches: number;
  ms: number;
}

export interface SweepRoundOptions extends Partial<SweepOptions> {
  /** @defaultValue 'all' */
  collections?: readonly string[] | 'all';
}

export interface SweepResult {
  /** One entry per collection asked for, in backfill order (parents first). */
  collections: CollectionSweep[];
  /** Totals over the collections swept. */
  scanned: number;
  synced: number;
  rejected: number;
  departed: number;
  gaps: number;
  failed: number;
  ms: number;
}

export interface SweepCollectionOptions extends Partial<SweepOptions> {
  /**
   * The new checkpoint: an instant taken before the read began. A round takes one for all its
   * collections before the first is read. @defaultValue Postgres' clock when this sweep starts
   */
  startedAt?: Date;
  /** The collection's mode when the caller already read it. @defaultValue read here */
  mode?: CollectionMode;
}

/**
 * One sweep round: every asked-for collection in `dual` mode, parents first, all with ONE
 * new checkpoint taken before the first read. Parents first and one instant together mean that a child
 * swept before its parent reached Postgres (an orphan reject) is read again next round, after that
 * parent: both were written after the instant, so both are inside the next window.
 *
 * A collection that fails does not stop the others; it keeps its checkpoint and is retried whole.
 */
export async function sweepCollections(
  ctx: SweepContext,
  options: SweepRoundOptions = {},
): Promise<SweepResult> {
  const started = Date.now();
  const names = REGISTRY.select(options.collections ?? 'all');
  const modes = await readModes(ctx.pool);
  const startedAt = await postgresNow(ctx.pool);
  const collections: CollectionSweep[] = [];
  for (const collection of names) {
    const mode = modes.get(collection) ?? 'mongo';
    try {
      collections.push(await sweepCollection(ctx, collection, { ...options, startedAt, mode }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.log?.error({ collection, err: message }, 'sweep: collection failed; its checkpoint stays');
      collections.push({
        ...emptySweep(collection, mode),
        status: 'failed',
        error: message,
      });
    }
  }
  const sum = (key: 'scanned' | 'synced' | 'rejected' | 'departed' | 'gaps') =>
    collections.reduce((n, c) => n + c[key], 0);
  return {
    collections,
    scanned: sum('scanned'),
    synced: sum('synced'),
    rejected: sum('rejected'),
    departed: sum('departed'),
    gaps: sum('gaps'),
    failed: collections.filter((c) => c.status === 'failed').length,
    ms: Date.now() - started,
  };
}

/**
 * Sweeps one collection: reads the `_id`s of its documents changed since its checkpoint less the
 * overlap (sorted by `_id`, `batchSize` at a time), syncs each batch, runs the deferred links the
 * batches may have left, and moves the checkpoint to the instant taken before the read. Throws when
 * a store is unreachable (checkpoint unchanged); a batch that fails for any other reason is retried
 * document by document, and a document that still fails becomes a gap for the drain.
 *
 * Sweeps of one collection never run at once (a session advisory lock, given up if the process dies):
 * the second one is `skipped`, its window left to the first.
 */
export async function sweepCollection(
  ctx: SweepContext,
  collection: string,
  input: SweepCollectionOptions = {},
): Promise<CollectionSweep> {
  REGISTRY.get(collection); // UnknownCollectionError
  const options = sweepOptions({ overlapMs: input.overlapMs, batchSize: input.batchSize });
  const mode = input.mode ?? (await readMode(ctx.pool, collection));
  const result = emptySweep(collection, mode);
  switch (mode) {
    case 'dual':
      break;
    case 'mongo':
      return { ...result, reason: 'mode is mongo: the seam does not follow it' };
    case 'pg':
    case 'decommissioned':
      return { ...result, reason: `mode is ${mode}: Postgres is authoritative (the reverse sweep's side)` };
    default:
      return assertNever(mode, 'collection mode');
  }

  return sweepWindow({
    pool: ctx.pool,
    log: ctx.log,
    collection,
    direction: 'forward',
    label: 'sweep',
    startedAt: input.startedAt,
    overlapMs: options.overlapMs,
    result,
    firstStart: firstSweepStart,
    neverStarted: 'never left mongo mode',
    read: async (from, swept) => {
      await syncChanged(ctx, from, options.batchSize, swept);
      return undefined; // nothing stops a forward sweep but a throw
    },
    counts: (swept) => swept,
  });
}

/** Syncs the documents changed at or after `from`, `batchSize` `_id`s at a time, in `_id` order. */
async function syncChanged(
  ctx: SweepContext,
  from: Date,
  batchSize: number,
  swept: CollectionSweep,
): Promise<void> {
  const collection = swept.collection;
  const cursor = ctx.mongo.collection<Document>(collection).find(changedSince(swept.clock, from), {
    projection: { _id: 1 },
    sort: { _id: 1 },
    batchSize,
  });
  try {
    let batch: unknown[] = [];
    for await (const doc of cursor) {
      batch.push(doc._id);
      if (batch.length >= batchSize) {
        await syncBatch(ctx, collection, batch, swept);
        batch = [];
      }
    }
    if (batch.length > 0) await syncBatch(ctx, collection, batch, swept);
  } finally {
    await cursor.close().catch(() => undefined);
  }
}

async function syncBatch(
  ctx: SweepContext,
  collection: string,
  ids: readonly unknown[],
  into: CollectionSweep,
): Promise<void> {
  into.batches += 1;
  into.scanned += ids.length;
  try {
    add(into, await syncDocuments(ctx.pool, ctx.mongo, collection, ids));
    return;
  } catch (error) {
    // A store out of reach fails the sweep (checkpoint unchanged): retrying per document would only
    // wait out the outage once per document.
    if (isStoreUnavailable(error)) throw error;
    if (ids.length === 1) {
      await toGap(ctx, collection, ids[0], error);
      into.gaps += 1;
      return;
    }
  }
  // One bad document must not hold back the batch, nor the checkpoint: each is synced alone, and one
  // that still fails is handed to the gap drain (backoff, dead letters) instead of blocking every sweep.
  for (const id of ids) {
    try {
      add(into, await syncDocuments(ctx.pool, ctx.mongo, collection, [id]));
    } catch (error) {
      if (isStoreUnavailable(error)) throw error;
      await toGap(ctx, collection, id, error);
      into.gaps += 1;
    }
  }
}

async function toGap(ctx: SweepContext, collection: string, id: unknown, error: unknown): Promise<void> {
  ctx.log?.warn(
    { collection, err: error instanceof Error ? error.message : String(error) },
    'sweep: sync failed',
  );
  // Throws GapNotRecordedError when neither store takes it: the sweep fails and keeps its checkpoint.
  await recordGap({ pool: ctx.pool, mongo: ctx.mongo }, { collection, id, op: 'upsert', error });
}

function add(into: SweepCounts, outcome: { migrated: number; rejected: number; departed: number }): void {
  into.synced += outcome.migrated;
  into.rejected += outcome.rejected;
  into.departed += outcome.departed;
}

function emptySweep(collection: string, mode: CollectionMode): CollectionSweep {
  return {
    collection,
    direction: 'forward',
    mode,
    clock: clockOf(collection),
    status: 'skipped',
    from: null,
    to: null,
    scanned: 0,
    synced: 0,
    rejected: 0,
    departed: 0,
    gaps: 0,
    batches: 0,
    ms: 0,
  };
}
