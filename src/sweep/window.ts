import type pg from 'pg';
import type { Logger } from '../logger.js';
import {
  postgresNow,
  readCheckpoint,
  saveCheckpoint,
  type SweepCounts,
  type SweepDirection,
} from './checkpoints.js';

/**
 * One sweep at a time per collection and direction. Each direction has its own key: a forward and a
 * reverse sweep of one collection are never both active anyway (a collection is in one mode).
 */
const LOCK_PREFIX = {
  forward: 'strangler:sweep:',
  reverse: 'strangler:sweep-reverse:',
} as const satisfies Record<SweepDirection, string>;

/** What the window bookkeeping reads and writes of either direction's result. */
interface WindowedSweep {
  status: 'swept' | 'skipped' | 'failed';
  reason?: string;
  from: Date | null;
  to: Date | null;
  scanned: number;
  ms: number;
}

export interface SweepWindow<R extends WindowedSweep> {
  pool: pg.Pool;
  log?: Logger;
  collection: string;
  direction: SweepDirection;
  /** How log lines and reasons name this sweep: 'sweep', 'reverse sweep'. */
  label: string;
  /** The new checkpoint, an instant taken before the read began. @defaultValue Postgres' clock now */
  startedAt?: Date;
  overlapMs: number;
  /** The result before anything is read: `skipped`, all counts zero. */
  result: R;
  /** Where the first sweep starts when there is no checkpoint yet; null: it never needs one. */
  firstStart: (pool: pg.Pool, collection: string) => Promise<Date | null>;
  /** The `reason` when firstStart is null. */
  neverStarted: string;
  /**
   * Reads the window (documents changed at or after `from`) and adds what it did to `swept`. Returns
   * a result to stop with instead, which leaves the checkpoint unchanged.
   */
  read: (from: Date, swept: R) => Promise<R | undefined>;
  /** The counts the checkpoint row keeps of this sweep. */
  counts: (swept: R) => SweepCounts;
}

/**
 * Sweeps one collection's window under its advisory lock: from its checkpoint (or its first start) less
 * the overlap, up to `startedAt`, which becomes the new checkpoint once the whole window is read. A
 * read that throws leaves the checkpoint where it was, so the next sweep reads the same window again.
 * Held by another sweep: `skipped`, its window left to that one.
 */
export async function sweepWindow<R extends WindowedSweep>(window: SweepWindow<R>): Promise<R> {
  const lock = await window.pool.connect();
  // A session lock: given up if the process dies.
  const key = `hashtextextended('${LOCK_PREFIX[window.direction]}' || $1, 0)`;
  try {
    const { rows } = await lock.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${key}) AS locked`, [
      window.collection,
    ]);
    if (!rows[0]!.locked) {
      return { ...window.result, reason: `another ${window.label} of this collection is running` };
    }
    try {
      return await sweepLocked(window);
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(${key})`, [window.collection]);
    }
  } finally {
    lock.release();
  }
}

async function sweepLocked<R extends WindowedSweep>(window: SweepWindow<R>): Promise<R> {
  const { pool, collection, direction } = window;
  const started = Date.now();
  const startedAt = window.startedAt ?? (await postgresNow(pool));
  const base =
    (await readCheckpoint(pool, collection, direction)) ?? (await window.firstStart(pool, collection));
  if (base === null) return { ...window.result, reason: window.neverStarted };
  const from = new Date(base.getTime() - window.overlapMs);
  const swept: R = { ...window.result, status: 'swept', from, to: startedAt };

  const stopped = await window.read(from, swept);
  if (stopped) return stopped;

  await saveCheckpoint(pool, collection, startedAt, window.counts(swept), direction);
  swept.ms = Date.now() - started;
  const logged: WindowedSweep = swept; // the logger's typings cannot take a generic object
  if (swept.scanned > 0) window.log?.info(logged, `${window.label}: collection swept`);
  return swept;
}
