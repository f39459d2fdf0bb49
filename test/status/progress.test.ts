import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunProgress } from '../../src/backfill/types.js';
import {
  RateMeter,
  etaSeconds,
  formatDuration,
  progressLine,
  summaryTable,
  watchRun,
} from '../../src/cli/progress.js';

function progress(overrides: Partial<RunProgress> = {}, done = 2): RunProgress {
  return {
    runId: 'r1',
    status: 'running',
    since: null,
    chunkSize: 2000,
    createdAt: new Date(0),
    finishedAt: null,
    error: null,
    collections: [
      {
        name: 'levelconfigs',
        status: 'completed',
        chunksPlanned: 1,
        chunksDone: 1,
        docsRead: 10,
        docsWritten: 9,
        docsRejected: 1,
        startedAt: new Date(0),
        finishedAt: new Date(65_000),
        error: null,
      },
      {
        name: 'users',
        status: 'copying',
        chunksPlanned: 4,
        chunksDone: done - 1,
        docsRead: 100,
        docsWritten: 100,
        docsRejected: 0,
        startedAt: new Date(0),
        finishedAt: null,
        error: null,
      },
    ],
    totals: { chunksPlanned: 5, chunksDone: done, docsRead: 110, docsWritten: 109, docsRejected: 1 },
    ...overrides,
  };
}

describe('backfill progress display', () => {
  it('measures rates over a sliding window', () => {
    const meter = new RateMeter(10_000);
    expect(meter.rates()).toEqual({ docsPerSec: 0, chunksPerSec: 0 });
    meter.add(0, 0, 0);
    meter.add(2_000, 1000, 2);
    expect(meter.rates()).toEqual({ docsPerSec: 500, chunksPerSec: 1 });
    meter.add(20_000, 1000, 2); // the old samples fall out of the window
    meter.add(21_000, 1100, 3);
    expect(meter.rates()).toEqual({ docsPerSec: 100, chunksPerSec: 1 });
  });

  it('formats durations and ETAs', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3_700)).toBe('1h01m');
    expect(formatDuration(Number.NaN)).toBe('?');
    expect(etaSeconds(progress(), 0.5)).toBe(6);
    expect(formatDuration(etaSeconds(progress(), 0))).toBe('?');
    expect(etaSeconds(progress({ totals: { ...progress().totals, chunksPlanned: 2 } }), 1)).toBeNaN();
    expect(etaSeconds(progress({ status: 'completed' }, 5), 0)).toBe(0);
  });

  it('describes a run in one plain line and sums it up in a table', () => {
    const line = progressLine(progress(), { docsPerSec: 123.4, chunksPerSec: 1 });
    expect(line).toBe(
      'backfill r1 running: 2/5 chunks, 109 written, 1 rejected, 123 docs/s, ETA 3s; 1/2 collections done (users copying 1/4)',
    );
    const table = summaryTable(progress()).split('\n');
    expect(table[0]).toMatch(/^COLLECTION\s+STATUS\s+CHUNKS\s+READ\s+WRITTEN\s+REJECTED\s+TIME\s+ERROR$/);
    expect(table[1]).toMatch(/^levelconfigs\s+completed\s+1\/1\s+10\s+9\s+1\s+1m05s\s+-$/);
  });

  it('polls until the run ends; plain lines when the stream is not a terminal', async () => {
    const states = [progress({}, 2), progress({}, 3), progress({ status: 'completed' }, 5)];
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (out += chunk.toString()));
    const final = await watchRun({
      poll: async () => states.shift() ?? null,
      stream,
      intervalMs: 1,
      plainEveryMs: 60_000,
    });
    expect(final.status).toBe('completed');
    // The first line, then (within the interval) only the change of run state.
    expect(out.trim().split('\n')).toHaveLength(2);
    expect(out).toContain('backfill r1 completed: 5/5 chunks');
  });

  it('draws bars on a terminal', async () => {
    const states = [progress({}, 2), progress({ status: 'completed' }, 5)];
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => true,
      clearScreenDown: () => true,
    }) as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (out += chunk.toString()));
    await watchRun({ poll: async () => states.shift() ?? null, stream, intervalMs: 1 });
    expect(out).toMatch(/users\s+\[[█░]+\] 4\/4 chunks/);
    expect(out).toMatch(/total\s+\[[█░]+\] 5\/5 chunks \| completed/);
  });

  it('throws when the run does not exist, and stops early on abort', async () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    await expect(watchRun({ poll: async () => null, stream })).rejects.toThrow(/not found/);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    const last = await watchRun({
      poll: async () => progress(),
      stream,
      intervalMs: 10_000,
      signal: abort.signal,
    });
    expect(last.status).toBe('running');
  });
});
