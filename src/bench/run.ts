import { availableParallelism } from 'node:os';
import type { Config } from '../config/env.js';
import { runMeasuredBackfill, type BackfillMeasurement } from './backfillRun.js';
import { stagesReport } from './bound.js';
import { Cleanup } from './cleanup.js';
import { measureCopyCeiling } from './copyCeiling.js';
import { dropDatabase, freshDatabase } from './databases.js';
import { measureDualWrite, type DualWriteOptions } from './dualWrite/run.js';
import { measureNaive } from './naive.js';
import { postgresCpuPer1000Rows } from './postgresCpu.js';
import { killAllStranglerNow, stopAllStrangler } from './processes.js';
import { metTargets, TARGETS, type BenchResult, type ScaleMode } from './result.js';
import { measureStages } from './stages.js';
import { countRows, targetTables } from './targetTables.js';
import { runMeasuredVerification } from './verifyRun.js';

export interface BenchOptions {
  /** Synthetic documents seeded into the source. @defaultValue 200000 */
  docs: number;
  /** Worker processes. @defaultValue 2 */
  workers: number;
  /** Jobs at once per worker process. @defaultValue 4 */
  concurrency: number;
  /** Documents per chunk job. @defaultValue 2000 */
  chunkSize: number;
  /** Repeat the backfill at another size to compare worker memory. @defaultValue true */
  scale: boolean;
  /** Keep the bench databases instead of dropping them at the end. @defaultValue false */
  keep: boolean;
  /** Base name of the bench databases (`<name>`, `<name>_copy`, `<name>_naive`, …). @defaultValue strangler_bench */
  dbName: string;
  /** Also measure the dual-write half (./dualWrite/run.ts) at the end. @defaultValue null */
  dualWrite?: DualWriteOptions | null;
}

/** At most this many documents go through the naive loop: enough for a steady rate, quick at any N. */
const NAIVE_SAMPLE_MAX = 5_000;
/** The biggest collection with child tables: the one whose chunk steps are timed apart. */
const STAGE_COLLECTION = 'users';
/**
 * A 4N repeat is only run when the whole bench would still end within this; past it, the memory check
 * compares an N/4 run with the N run instead (same 4× ratio, a fraction of the time).
 */
const SCALE_BUDGET_SECONDS = 240;

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The whole benchmark, side by side in one run on one machine: a backfill by real worker processes
 * from a source process, the raw COPY ceiling and a naive loop over the same data, the chunk steps
 * timed apart, and worker memory at two collection sizes. Everything it starts or creates is removed
 * at the end, on error and on Ctrl-C too.
 */
export async function runBench(config: Config, options: BenchOptions): Promise<BenchResult> {
  const benchStarted = performance.now();
  const cleanup = new Cleanup();
  cleanup.defer('stop child processes', () => stopAllStrangler());
  const onSignal = () => {
    say('bench: interrupted, cleaning up…');
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAllStranglerNow);
  const scratch = async (suffix: string): Promise<string> => {
    const name = `${options.dbName}_${suffix}`;
    const url = await freshDatabase(config.PG_URL, name);
    if (!options.keep) cleanup.defer(`drop ${name}`, () => dropDatabase(config.PG_URL, name));
    return url;
  };
  const queuePrefix = (suffix: string) => `strangler-bench-${process.pid}${suffix ? `-${suffix}` : ''}`;
  const backfillAt = (docs: number, suffix: string) =>
    runMeasuredBackfill({
      config,
      docs,
      workers: options.workers,
      concurrency: options.concurrency,
      chunkSize: options.chunkSize,
      dbName: suffix ? `${options.dbName}_${suffix}` : options.dbName,
      queuePrefix: queuePrefix(suffix),
      keep: options.keep,
      cleanup,
      say,
    });

  try {
    const main = await backfillAt(options.docs, '');
    const m = main.measurement;
    say(`backfill: ${m.docsRead} documents in ${m.seconds.toFixed(1)} s (${m.docsPerSec.toFixed(0)} docs/s)`);
    const verify = await runMeasuredVerification({
      config,
      session: main,
      workers: options.workers,
      concurrency: options.concurrency,
      queuePrefix: queuePrefix(''),
      cleanup,
      say,
    });
    say(
      `verify: ${verify.status} in ${verify.seconds.toFixed(1)} s (${verify.docsPerSec.toFixed(0)} docs/s, ` +
        `${verify.ratioToBackfill.toFixed(2)} of the backfill's time)`,
    );
    for (const line of verify.red) say(`  verify red: ${line}`);

    const tables = targetTables();
    const rowsWritten = await countRows(main.deps.db.$client, tables);
    const copy = await measureCopyCeiling(main.targetUrl, await scratch('copy'), tables);
    say(`COPY ceiling: ${copy.rows} rows in ${copy.seconds.toFixed(2)} s`);

    const sample = Math.min(options.docs, NAIVE_SAMPLE_MAX);
    const naive = await measureNaive(main.deps.mongo, await scratch('naive'), sample);
    say(`naive loop: ${naive.docs} documents in ${naive.seconds.toFixed(1)} s`);

    const rates = await measureStages(
      main.deps.mongo,
      main.targetUrl,
      await scratch('stage'),
      STAGE_COLLECTION,
      options.chunkSize,
    );
    await main.close();

    const scale = options.scale ? await measureScale(options, m, benchStarted, backfillAt) : null;
    const dualWrite = options.dualWrite
      ? await measureDualWrite(config, options.dualWrite, cleanup, say)
      : undefined;
    const backfillRowsPerSec = rowsWritten / m.seconds;
    const figures = {
      ratioToCopy: copy.seconds / m.seconds,
      speedupVsNaive: m.docsPerSec / naive.docsPerSec,
      peakRssMb: m.peakRssMb,
      rssRatio: scale ? scale.large / scale.small : null,
    };
    return {
      docs: m.docsRead,
      docsRejected: m.docsRejected,
      workers: options.workers,
      concurrency: options.concurrency,
      chunkSize: options.chunkSize,
      rowsWritten,
      backfillSeconds: m.seconds,
      docsPerSec: m.docsPerSec,
      backfillRowsPerSec,
      verify,
      copyRows: copy.rows,
      copySeconds: copy.seconds,
      copyCeilingRowsPerSec: copy.rowsPerSec,
      postgresCpuPer1000Rows: postgresCpuPer1000Rows(
        { cpuSeconds: m.postgresCpuSeconds, rows: rowsWritten },
        { cpuSeconds: copy.postgresCpuSeconds, rows: copy.rows },
      ),
      naiveSample: naive.docs,
      naiveRejected: naive.rejected,
      naiveSeconds: naive.seconds,
      naiveStatementsPerDoc: naive.statementsPerDoc,
      naiveDocsPerSec: naive.docsPerSec,
      ...figures,
      perWorkerPeakRssMb: m.perWorkerPeakRssMb,
      workerIdleRssMb: m.idleRssMb,
      scale: scale?.mode ?? 'skipped',
      rssScaleDocs: scale ? scale.docs : [options.docs],
      rssAtN: scale ? scale.small : m.peakRssMb,
      rssAt4N: scale ? scale.large : null,
      stages: stagesReport(rates, options.chunkSize, m, availableParallelism()),
      phases: m.phases,
      targets: TARGETS,
      met: metTargets({ ...figures, verifyRatioToBackfill: verify.ratioToBackfill }),
      ...(dualWrite ? { dualWrite } : {}),
      totalSeconds: (performance.now() - benchStarted) / 1000,
    };
  } finally {
    const failures = await cleanup.runAll();
    for (const failure of failures) say(`bench: cleanup failed: ${failure}`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killAllStranglerNow);
  }
}

interface ScaleFigures {
  mode: Exclude<ScaleMode, 'skipped'>;
  /** [smaller run, 4× larger run] document counts. */
  docs: [number, number];
  small: number;
  large: number;
}

/**
 * Worker memory at two collection sizes 4× apart; chunks are bounded, so it must not grow. Seeding and
 * backfilling are linear in N, so the N run's own times project a 4N run: when that would push the
 * bench past SCALE_BUDGET_SECONDS, an N/4 run is compared with the N run instead.
 */
async function measureScale(
  options: BenchOptions,
  main: BackfillMeasurement,
  benchStarted: number,
  backfillAt: (docs: number, suffix: string) => ReturnType<typeof runMeasuredBackfill>,
): Promise<ScaleFigures> {
  const elapsed = (performance.now() - benchStarted) / 1000;
  const projected = 4 * (main.sourceSeconds + main.seconds);
  const mode = elapsed + projected > SCALE_BUDGET_SECONDS ? 'N/4' : '4N';
  const docs = mode === '4N' ? options.docs * 4 : Math.max(1, Math.round(options.docs / 4));
  say(
    `scale: a 4N run would take ~${projected.toFixed(0)} s more (${elapsed.toFixed(0)} s so far, budget ${SCALE_BUDGET_SECONDS} s); ` +
      `running ${docs} documents (${mode})`,
  );
  const other = await backfillAt(docs, 'scale');
  await other.close();
  const rss = other.measurement.peakRssMb;
  return mode === '4N'
    ? { mode, docs: [options.docs, docs], small: main.peakRssMb, large: rss }
    : { mode, docs: [docs, options.docs], small: rss, large: main.peakRssMb };
}
