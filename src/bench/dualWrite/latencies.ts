/** Latency samples per name and mode, merged across slices; percentiles are computed once, at the end. */
export type LatencyMode = 'mongo' | 'dual' | 'pg';
export const LATENCY_MODES = ['mongo', 'dual', 'pg'] as const satisfies readonly LatencyMode[];

/** The mirror-cost phase: `pg` (MongoDB mirrored after each commit) against `decommissioned` (no mirror). */
export type MirrorMode = 'pg' | 'decommissioned';
export const MIRROR_MODES = ['pg', 'decommissioned'] as const satisfies readonly MirrorMode[];

/** Records one timed call (or workload operation) under the mode of the slice it started in. */
export type Recorder = (name: string, ms: number, failed: boolean) => void;

export interface LatencyFigures {
  ops: number;
  /** Calls that threw something other than a refusal the workload expects. */
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface SideBySide {
  mongo: LatencyFigures;
  dual: LatencyFigures;
  /** dual p50 − mongo p50 (ms); null while either side has no sample. */
  overheadP50Ms: number | null;
  /** dual p50 ÷ mongo p50. */
  ratioP50: number | null;
  overheadP99Ms: number | null;
  /** Postgres authoritative, MongoDB mirrored after the commit. */
  pg: LatencyFigures;
  /** pg p50 ÷ mongo p50. */
  pgToMongoP50: number | null;
  /** pg p50 ÷ dual p50. */
  pgToDualP50: number | null;
}

export interface MirrorSideBySide {
  pg: LatencyFigures;
  decommissioned: LatencyFigures;
  /** pg p50 − decommissioned p50 (ms): what following each commit into MongoDB adds. */
  mirrorP50Ms: number | null;
  /** pg p50 ÷ decommissioned p50. */
  ratioP50: number | null;
  mirrorP99Ms: number | null;
}

interface Samples {
  latencies: number[];
  errors: number;
}

export class LatencyBook<M extends string> {
  readonly #modes: readonly M[];
  readonly #samples = new Map<string, Map<M, Samples>>();

  constructor(modes: readonly M[]) {
    this.#modes = modes;
  }

  record(name: string, mode: M, ms: number, failed: boolean): void {
    let entry = this.#samples.get(name);
    if (!entry) {
      entry = new Map(this.#modes.map((m) => [m, { latencies: [], errors: 0 }]));
      this.#samples.set(name, entry);
    }
    const samples = entry.get(mode);
    if (!samples) throw new Error(`bench: no such latency mode ${mode}`);
    samples.latencies.push(ms);
    if (failed) samples.errors += 1;
  }

  /** A recorder of this book's samples under `mode`. */
  recorder(mode: M): Recorder {
    return (name, ms, failed) => this.record(name, mode, ms, failed);
  }

  names(): string[] {
    return [...this.#samples.keys()].sort();
  }

  /** One name, or every name matching `which` merged into one distribution, per mode. */
  figures(which: string | ((name: string) => boolean)): Record<M, LatencyFigures> {
    const pick = typeof which === 'string' ? (name: string) => name === which : which;
    const merged = new Map<M, Samples>(this.#modes.map((m) => [m, { latencies: [], errors: 0 }]));
    for (const [name, entry] of this.#samples) {
      if (!pick(name)) continue;
      for (const [mode, samples] of entry) {
        const into = merged.get(mode)!;
        for (const ms of samples.latencies) into.latencies.push(ms);
        into.errors += samples.errors;
      }
    }
    return Object.fromEntries([...merged].map(([mode, samples]) => [mode, figuresOf(samples)])) as Record<
      M,
      LatencyFigures
    >;
  }
}

export function sideBySide(f: Record<LatencyMode, LatencyFigures>): SideBySide {
  return {
    mongo: f.mongo,
    dual: f.dual,
    overheadP50Ms: difference(f.dual.p50Ms, f.mongo.p50Ms),
    ratioP50: ratio(f.dual.p50Ms, f.mongo.p50Ms),
    overheadP99Ms: difference(f.dual.p99Ms, f.mongo.p99Ms),
    pg: f.pg,
    pgToMongoP50: ratio(f.pg.p50Ms, f.mongo.p50Ms),
    pgToDualP50: ratio(f.pg.p50Ms, f.dual.p50Ms),
  };
}

export function mirrorSideBySide(f: Record<MirrorMode, LatencyFigures>): MirrorSideBySide {
  return {
    pg: f.pg,
    decommissioned: f.decommissioned,
    mirrorP50Ms: difference(f.pg.p50Ms, f.decommissioned.p50Ms),
    ratioP50: ratio(f.pg.p50Ms, f.decommissioned.p50Ms),
    mirrorP99Ms: difference(f.pg.p99Ms, f.decommissioned.p99Ms),
  };
}

const difference = (a: number | null, b: number | null) => (a !== null && b !== null ? round(a - b) : null);
const ratio = (a: number | null, b: number | null) =>
  a !== null && b !== null && b > 0 ? round(a / b) : null;

function figuresOf(samples: Samples): LatencyFigures {
  const sorted = Float64Array.from(samples.latencies).sort();
  const at = (q: number) =>
    sorted.length === 0
      ? null
      : round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { ops: sorted.length, errors: samples.errors, p50Ms: at(0.5), p99Ms: at(0.99) };
}

export const round = (v: number) => Math.round(v * 100) / 100;
