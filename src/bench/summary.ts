import { formatDualWriteSummary } from './dualWrite/summary.js';
import { TARGETS, type BenchResult } from './result.js';

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const n2 = (v: number) => v.toFixed(2);
const n3 = (v: number) => v.toFixed(3);
const us = (v: number) => `${v.toFixed(1)} µs`;
const mark = (met: boolean | null) => (met === null ? '–' : met ? '✓' : '✗');

/** The human-readable figures, for stderr: one table, each target marked, misses with their bound. */
export function formatSummary(r: BenchResult): string {
  const s = r.stages;
  const w = s.workerCpuUsPerDoc;
  const scaleLabel =
    r.scale === 'skipped'
      ? 'not measured (--no-scale)'
      : `${n0(r.rssScaleDocs[0] ?? 0)} → ${n0(r.rssScaleDocs[1] ?? 0)} docs`;
  const rows: [string, string, string, string][] = [
    [
      'backfill',
      `${n0(r.docsPerSec)} docs/s, ${n0(r.backfillRowsPerSec)} rows/s`,
      '',
      `${n0(r.docs)} docs → ${n0(r.rowsWritten)} rows in ${n2(r.backfillSeconds)} s (${r.workers} workers × ${r.concurrency}, chunk ${r.chunkSize})`,
    ],
    [
      'verify',
      `${n0(r.verify.docsPerSec)} docs/s`,
      '',
      `${r.verify.status} in ${n2(r.verify.seconds)} s, same data, all collections` +
        (r.verify.red.length > 0 ? ` (red: ${r.verify.red.join('; ')})` : ''),
    ],
    [
      'verify ÷ backfill',
      n2(r.verify.ratioToBackfill),
      `≤ ${TARGETS.verifyRatioToBackfill}`,
      mark(r.met.verifyRatioToBackfill),
    ],
    [
      'COPY ceiling',
      `${n0(r.copyCeilingRowsPerSec)} rows/s`,
      '',
      `${n0(r.copyRows)} rows in ${n2(r.copySeconds)} s`,
    ],
    ['ratio to COPY', n2(r.ratioToCopy), `≥ ${TARGETS.ratioToCopy}`, mark(r.met.ratioToCopy)],
    [
      'naive loop',
      `${n0(r.naiveDocsPerSec)} docs/s`,
      '',
      `${n0(r.naiveSample)} docs in ${n2(r.naiveSeconds)} s, ${n2(r.naiveStatementsPerDoc)} statements/doc, ${r.naiveRejected} rejected`,
    ],
    [
      'speedup vs naive',
      `${n2(r.speedupVsNaive)}×`,
      `≥ ${TARGETS.speedupVsNaive}`,
      mark(r.met.speedupVsNaive),
    ],
    [
      'peak worker RSS',
      `${n0(r.peakRssMb)} MB`,
      `≤ ${TARGETS.peakRssMb}`,
      `${mark(r.met.peakRssMb)} (per worker: ${r.perWorkerPeakRssMb.map(n0).join(', ')} MB; idle after start: ${n0(r.workerIdleRssMb)} MB)`,
    ],
    [
      'RSS ratio',
      r.rssRatio === null ? '–' : n2(r.rssRatio),
      `≤ ${TARGETS.rssRatio}`,
      `${mark(r.met.rssRatio)} ${scaleLabel}${r.rssAt4N === null ? '' : ` (${n0(r.rssAtN)} → ${n0(r.rssAt4N)} MB)`}`,
    ],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  '));

  const stageLine =
    `stages (${s.collection}, serial, chunk ${s.chunkSize}): read ${n0(s.readDocsPerSec)} docs/s` +
    ` · map ${n0(s.mapDocsPerSec)} docs/s · copyChunk without the read ${n0(s.writeDocsPerSec)} docs/s` +
    ` (${n0(s.writeDocs)} docs) → shares read ${pct(s.shares.read)}, map ${pct(s.shares.map)}, write ${pct(s.shares.write)} (estimate);` +
    ` worker CPU per doc: read ${us(w.read)} · map ${us(w.map)} · write ${us(w.write)} (total ${us(w.total)});` +
    ` Postgres ${s.postgresCpuUsPerDoc === null ? '– (no /proc)' : us(s.postgresCpuUsPerDoc)}/doc in the write step`;
  const pgCpu = r.postgresCpuPer1000Rows;
  const postgresCpuLine =
    pgCpu.backfill === null || pgCpu.copy === null
      ? 'Postgres CPU per 1,000 rows: not available (no postgres process in /proc)'
      : `Postgres CPU per 1,000 rows: backfill ${n3(pgCpu.backfill)} s · COPY ${n3(pgCpu.copy)} s` +
        (pgCpu.ratio === null ? '' : ` (${n2(pgCpu.ratio)}×)`) +
        ' (every postgres process on the machine)';
  const coreLine = s.cores
    ? `CPU during the backfill: source ${n2(s.cores.source)} · workers ${n2(s.cores.workers)} · Postgres/Redis/bench ${n2(s.cores.other)} = ${n2(s.cores.machine)} of ${s.coresAvailable} cores`
    : 'CPU during the backfill: not available (no /proc)';
  const planning = Object.entries(r.phases.planningSeconds)
    .map(([name, seconds]) => `${name} ${n2(seconds)} s`)
    .join(', ');
  const phaseLine =
    `no chunk running for ${n2(r.phases.noChunkSeconds)} s of the run; ` +
    `collection start → first chunk (planning, queueing): ${planning}`;
  const missed = (['ratioToCopy', 'speedupVsNaive'] as const).filter((k) => r.met[k] === false);
  const memoryMissed = r.met.peakRssMb === false || r.met.rssRatio === false;
  const bounds = [
    ...(missed.length > 0 ? [`${missed.join(', ')} missed; bounded by: ${s.bound}`] : []),
    ...(memoryMissed
      ? [
          `memory target missed: ${n0(r.workerIdleRssMb)} MB of a worker's peak is its idle baseline (Node, tsx, ` +
            `drivers); the rest is in-flight chunks (concurrency × chunk size: documents, rows, their JSON)` +
            (r.met.rssRatio === true ? ', and it does not grow with collection size' : ''),
        ]
      : []),
  ];
  return [
    `strangler bench: ${n0(r.docs)} documents, total ${n2(r.totalSeconds)} s`,
    ...lines,
    stageLine,
    postgresCpuLine,
    coreLine,
    phaseLine,
    ...bounds,
    ...(r.dualWrite ? [formatDualWriteSummary(r.dualWrite)] : ['']),
  ].join('\n');
}

const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
