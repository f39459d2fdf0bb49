import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { CollectionProgress, RunProgress } from '../backfill/types.js';
import { formatTable } from '../status/table.js';

/**
 * `backfill --wait`: polls the run's progress tables and draws it. On a terminal, one bar per
 * collection plus a total; elsewhere (CI logs, `docker logs`, a pipe) one plain line every few seconds,
 * because redrawn bars turn into thousands of lines in a file.
 */

/** Documents per second and chunks per second over a sliding window of samples. */
export class RateMeter {
  private readonly samples: { at: number; docs: number; chunks: number }[] = [];
  constructor(private readonly windowMs = 10_000) {}

  add(at: number, docs: number, chunks: number): void {
    this.samples.push({ at, docs, chunks });
    while (this.samples.length > 2 && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }

  /** Rates over the window, or zeros until two samples are apart in time. */
  rates(): { docsPerSec: number; chunksPerSec: number } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at <= first.at) return { docsPerSec: 0, chunksPerSec: 0 };
    const secs = (last.at - first.at) / 1000;
    return { docsPerSec: (last.docs - first.docs) / secs, chunksPerSec: (last.chunks - first.chunks) / secs };
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Seconds left at the current chunk rate; chunks still unplanned are not counted (they show as '?'). */
export function etaSeconds(progress: RunProgress, chunksPerSec: number): number {
  if (progress.status !== 'running') return 0;
  const left = progress.totals.chunksPlanned - progress.totals.chunksDone;
  // Nothing left while still running means the rest is not planned yet: unknown, not zero.
  if (left <= 0) return Number.NaN;
  return chunksPerSec > 0 ? left / chunksPerSec : Number.NaN;
}

/** The plain (non-TTY) progress line. */
export function progressLine(
  progress: RunProgress,
  rates: { docsPerSec: number; chunksPerSec: number },
): string {
  const t = progress.totals;
  const active = progress.collections
    .filter((c) => c.status !== 'completed' && c.status !== 'parked')
    .map((c) => `${c.name} ${c.status} ${c.chunksDone}/${c.chunksPlanned}`);
  const done = progress.collections.filter((c) => c.status === 'completed').length;
  return (
    `backfill ${progress.runId} ${progress.status}: ${t.chunksDone}/${t.chunksPlanned} chunks, ` +
    `${t.docsWritten} written, ${t.docsRejected} rejected, ${Math.round(rates.docsPerSec)} docs/s, ` +
    `ETA ${formatDuration(etaSeconds(progress, rates.chunksPerSec))}; ` +
    `${done}/${progress.collections.length} collections done` +
    (active.length > 0 ? ` (${active.join(', ')})` : '')
  );
}

export function summaryTable(progress: RunProgress): string {
  const duration = (c: CollectionProgress) =>
    c.startedAt && c.finishedAt
      ? formatDuration((c.finishedAt.getTime() - c.startedAt.getTime()) / 1000)
      : null;
  return formatTable(
    ['COLLECTION', 'STATUS', 'CHUNKS', 'READ', 'WRITTEN', 'REJECTED', 'TIME', 'ERROR'],
    progress.collections.map((c) => [
      c.name,
      c.status,
      `${c.chunksDone}/${c.chunksPlanned}`,
      c.docsRead,
      c.docsWritten,
      c.docsRejected,
      duration(c),
      c.error,
    ]),
  );
}

export interface WatchOptions {
  /** Reads the run's current progress (getRunProgress); null means the run does not exist. */
  poll(): Promise<RunProgress | null>;
  /** Where progress goes; stdout stays for results. @defaultValue process.stderr */
  stream?: NodeJS.WriteStream;
  /** @defaultValue 500 */
  intervalMs?: number;
  /** How often a plain line is printed when the stream is not a terminal. @defaultValue 5000 */
  plainEveryMs?: number;
  /** Stops watching (the run itself goes on); watchRun then resolves with the last progress seen. */
  signal?: AbortSignal;
  /**
   * Asked once nothing has moved for `stuckAfterMs`: why the run cannot move on its own (nothing of it
   * left in the queue), or null while it still can. Two answers in a row, with still no progress in
   * between, make watchRun throw RunStuckError. @defaultValue never asked
   */
  stuck?: () => Promise<string | null>;
  /** @defaultValue 30000 */
  stuckAfterMs?: number;
}

/** The run is still `running` but nothing will move it: watching it longer would hang. */
export class RunStuckError extends Error {
  override readonly name = 'RunStuckError';
  constructor(
    readonly progress: RunProgress,
    readonly reason: string,
    readonly idleMs: number,
  ) {
    super(`backfill ${progress.runId} is stuck: ${reason}`);
  }
}

/** What counts as progress: any collection changing state, a chunk done or planned, a document read. */
function progressSignature(progress: RunProgress): string {
  return JSON.stringify([
    progress.status,
    progress.totals.chunksPlanned,
    progress.totals.chunksDone,
    progress.totals.docsRead,
    progress.collections.map((c) => c.status),
  ]);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

interface Display {
  update(progress: RunProgress, rates: { docsPerSec: number; chunksPerSec: number }): void;
  stop(): void;
}

function barDisplay(stream: NodeJS.WriteStream): Display {
  const multibar = new MultiBar(
    {
      stream,
      format: ' {name} [{bar}] {chunks} chunks | {status} | {rate} docs/s | ETA {eta}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  const width = (progress: RunProgress) => Math.max(5, ...progress.collections.map((c) => c.name.length));
  let total: SingleBar | undefined;
  return {
    update(progress, rates) {
      const pad = width(progress);
      for (const c of progress.collections) {
        const payload = {
          name: c.name.padEnd(pad),
          chunks: `${c.chunksDone}/${c.chunksPlanned}`,
          status: c.status.padEnd(9),
          rate: '',
          eta: '',
        };
        // A bar of total 0 renders as NaN%: unplanned collections get an empty bar of 1.
        const bar = bars.get(c.name) ?? multibar.create(1, 0, payload);
        bars.set(c.name, bar);
        bar.setTotal(Math.max(c.chunksPlanned, 1));
        bar.update(c.chunksDone, payload);
      }
      const t = progress.totals;
      const payload = {
        name: 'total'.padEnd(pad),
        chunks: `${t.chunksDone}/${t.chunksPlanned}`,
        status: progress.status.padEnd(9),
        rate: String(Math.round(rates.docsPerSec)),
        eta: formatDuration(etaSeconds(progress, rates.chunksPerSec)),
      };
      total ??= multibar.create(1, 0, payload);
      total.setTotal(Math.max(t.chunksPlanned, 1));
      total.update(t.chunksDone, payload);
    },
    stop: () => multibar.stop(),
  };
}

function lineDisplay(stream: NodeJS.WriteStream, everyMs: number): Display {
  let last = 0;
  let lastStatus = '';
  return {
    update(progress, rates) {
      const now = Date.now();
      // Always print a change of run state, otherwise at most one line per interval.
      if (now - last < everyMs && progress.status === lastStatus) return;
      last = now;
      lastStatus = progress.status;
      stream.write(progressLine(progress, rates) + '\n');
    },
    stop: () => undefined,
  };
}

/**
 * Polls until the run is completed or failed (or `signal` aborts), drawing progress meanwhile.
 * Resolves with the last progress read; throws when the run does not exist, and RunStuckError when
 * `stuck` says that nothing can move it any more.
 */
export async function watchRun(options: WatchOptions): Promise<RunProgress> {
  const { poll, stream = process.stderr, intervalMs = 500, plainEveryMs = 5_000, signal } = options;
  const { stuck, stuckAfterMs = 30_000 } = options;
  const checkEveryMs = Math.max(intervalMs, Math.min(5_000, stuckAfterMs / 2));
  const display = stream.isTTY ? barDisplay(stream) : lineDisplay(stream, plainEveryMs);
  const meter = new RateMeter();
  let signature = '';
  let movedAt = Date.now();
  let lastCheck = 0;
  let suspected = false;
  try {
    for (;;) {
      const progress = await poll();
      if (!progress) throw new Error('backfill run not found');
      const now = Date.now();
      meter.add(now, progress.totals.docsRead, progress.totals.chunksDone);
      display.update(progress, meter.rates());
      if (progress.status !== 'running' || signal?.aborted) return progress;
      const current = progressSignature(progress);
      if (current !== signature) {
        signature = current;
        movedAt = now;
        suspected = false;
      } else if (stuck && now - movedAt >= stuckAfterMs && now - lastCheck >= checkEveryMs) {
        lastCheck = now;
        // A failed check (Redis unreachable for a moment) proves nothing either way.
        const reason = await stuck().catch(() => null);
        if (reason !== null && suspected) throw new RunStuckError(progress, reason, now - movedAt);
        suspected = reason !== null;
      }
      await sleep(intervalMs, signal);
    }
  } finally {
    display.stop();
  }
}
