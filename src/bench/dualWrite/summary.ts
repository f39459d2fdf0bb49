import type { MirrorSideBySide, SideBySide } from './latencies.js';
import type { MirrorCostReport } from './latency.js';
import type { DualWriteResult } from './result.js';

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number | null) => (v === null ? '–' : v.toFixed(1));
const x = (v: number | null) => (v === null ? '–' : `${v.toFixed(2)}×`);
const signed = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}`);
const mark = (met: boolean) => (met ? '✓' : '✗');

function row(name: string, s: SideBySide): string[] {
  return [
    name,
    `${ms(s.mongo.p50Ms)} / ${ms(s.mongo.p99Ms)}`,
    `${ms(s.dual.p50Ms)} / ${ms(s.dual.p99Ms)}`,
    `${ms(s.pg.p50Ms)} / ${ms(s.pg.p99Ms)}`,
    x(s.ratioP50),
    x(s.pgToMongoP50),
    x(s.pgToDualP50),
    `${s.mongo.ops} / ${s.dual.ops} / ${s.pg.ops}`,
  ];
}

function mirrorRow(name: string, s: MirrorSideBySide): string[] {
  return [
    name,
    `${ms(s.pg.p50Ms)} / ${ms(s.pg.p99Ms)}`,
    `${ms(s.decommissioned.p50Ms)} / ${ms(s.decommissioned.p99Ms)}`,
    signed(s.mirrorP50Ms),
    x(s.ratioP50),
    `${s.pg.ops} / ${s.decommissioned.ops}`,
  ];
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

/** The dual-write figures for stderr: latency side by side, the drain runs, and where drain time goes. */
export function formatDualWriteSummary(r: DualWriteResult): string {
  const l = r.latency;
  const header = [
    'operation',
    'mongo p50/p99 ms',
    'dual p50/p99 ms',
    'pg p50/p99 ms',
    'dual/mongo',
    'pg/mongo',
    'pg/dual',
    'ops m/d/p',
  ];
  const latency = table([
    header,
    ...Object.entries(l.byOp).map(([name, s]) => row(name, s)),
    row('all operations', l.overall),
    row('per repository write', l.perWrite),
  ]);
  const drains = r.gaps.runs.map(
    (d) =>
      `  ${d.state.padEnd(6)} batch ${String(d.batchSize).padStart(4)} × ${d.drains} drain(s): ` +
      `${n0(d.gapsPerSec).padStart(6)} gaps/s  (${n0(d.gaps)} gaps in ${d.seconds.toFixed(1)} s, ${d.batches} batches, ${d.failed} failed)`,
  );
  const profiles = r.gaps.profiles.flatMap((p) => [
    `  batch ${p.batchSize}, ${n0(p.historyRows)} resolved rows in the table: ${n0(p.gapsPerSec)} gaps/s; per batch ` +
      `claim ${ms(p.perBatchMs.claim)} · sync ${ms(p.perBatchMs.sync)} (Postgres ${ms(p.syncMs.postgres)} in ` +
      `${p.statementsPerBatch} statements, MongoDB ${ms(p.syncMs.mongo)}, JS ${ms(p.syncMs.js)}) · settle ${ms(p.perBatchMs.settle)} ms`,
    ...p.top
      .slice(0, 5)
      .map((t) => `      ${ms(t.msPerBatch).padStart(7)} ms × ${t.callsPerBatch}  ${t.label}`),
  ]);
  const g = r.gaps;
  return [
    `dual-write: ${l.secondsPerMode} s per mode in ${l.slices.length} slices (${l.slices.join(', ')}), ` +
      `concurrency ${l.concurrency}, closed loop; throughput mongo ${n0(l.throughput.mongo)} ops/s, dual ${n0(l.throughput.dual)} ops/s, ` +
      `pg ${n0(l.throughput.pg)} ops/s; load average ${r.loadAverage.before} → ${r.loadAverage.after}`,
    `  (between slices, untimed: ${n0(l.caughtUpDocs)} documents caught up into Postgres, ` +
      `${n0(l.drainedGaps.forward)} forward and ${n0(l.drainedGaps.reverse)} reverse gaps drained; ratios are of p50)`,
    ...latency,
    ...(l.mirrorCost ? formatMirrorCost(l.mirrorCost) : []),
    `gap drain (${g.collection}): ${n0(g.gapsPerSec)} gaps/s at the default batch (target ≥ ${n0(r.targets.gapsPerSec)}) ${mark(r.met.gapsPerSec)}; ` +
      `best single drain ${n0(g.bestSingle.gapsPerSec)} gaps/s at batch ${g.bestSingle.batchSize} ${mark(r.met.bestSingleGapsPerSec)}`,
    ...drains,
    'where a drain spends its time (profiled, per batch):',
    ...profiles,
    '',
  ].join('\n');
}

/** pg's MongoDB mirror: pg against decommissioned, measured in their own ABBA slices after the main plan. */
function formatMirrorCost(m: MirrorCostReport): string[] {
  const header = [
    'operation',
    'pg p50/p99 ms',
    'decomm. p50/p99 ms',
    'mirror Δp50 ms',
    'pg/decomm.',
    'ops p/d',
  ];
  return [
    `pg-mode mirror cost: pg (MongoDB mirrored after each commit) vs decommissioned (no mirror), ` +
      `${m.secondsPerMode} s each in ${m.slices.length} slices (${m.slices.join(', ')}); ` +
      `throughput pg ${n0(m.throughput.pg)} ops/s, decommissioned ${n0(m.throughput.decommissioned)} ops/s`,
    ...table([
      header,
      ...Object.entries(m.byOp).map(([name, s]) => mirrorRow(name, s)),
      mirrorRow('all operations', m.overall),
      mirrorRow('per repository write', m.perWrite),
    ]),
  ];
}
