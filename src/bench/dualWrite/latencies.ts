/** Latency samples per name and mode, merged across slices; percentiles are computed once, at the end. */
export type LatencyMode = 'mongo' | 'dual';

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
}

interface Samples {
  latencies: number[];
  errors: number;
}

export class LatencyBook {
  readonly #samples = new Map<string, Record<LatencyMode, Samples>>();

  record(name: string, mode: LatencyMode, ms: number, failed: boolean): void {
    let entry = this.#samples.get(name);
    if (!entry) {
      entry = { mongo: { latencies: [], errors: 0 }, dual: { latencies: [], errors: 0 } };
      this.#samples.set(name, entry);
    }
    entry[mode].latencies.push(ms);
    if (failed) entry[mode].errors += 1;
  }

  names(): string[] {
    return [...this.#samples.keys()].sort();
  }

  /** One name, or every name matching `which` merged into one distribution. */
  compare(which: string | ((name: string) => boolean)): SideBySide {
    const pick = typeof which === 'string' ? (name: string) => name === which : which;
    const merged: Record<LatencyMode, Samples> = {
      mongo: { latencies: [], errors: 0 },
      dual: { latencies: [], errors: 0 },
    };
    for (const [name, entry] of this.#samples) {
      if (!pick(name)) continue;
      for (const mode of ['mongo', 'dual'] as const) {
        for (const ms of entry[mode].latencies) merged[mode].latencies.push(ms);
        merged[mode].errors += entry[mode].errors;
      }
    }
    return sideBySide(figuresOf(merged.mongo), figuresOf(merged.dual));
  }
}

export function sideBySide(mongo: LatencyFigures, dual: LatencyFigures): SideBySide {
  const both = mongo.p50Ms !== null && dual.p50Ms !== null;
  return {
    mongo,
    dual,
    overheadP50Ms: both ? round(dual.p50Ms! - mongo.p50Ms!) : null,
    ratioP50: both && mongo.p50Ms! > 0 ? round(dual.p50Ms! / mongo.p50Ms!) : null,
    overheadP99Ms: mongo.p99Ms !== null && dual.p99Ms !== null ? round(dual.p99Ms - mongo.p99Ms) : null,
  };
}

function figuresOf(samples: Samples): LatencyFigures {
  const sorted = Float64Array.from(samples.latencies).sort();
  const at = (q: number) =>
    sorted.length === 0
      ? null
      : round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { ops: sorted.length, errors: samples.errors, p50Ms: at(0.5), p99Ms: at(0.99) };
}

export const round = (v: number) => Math.round(v * 100) / 100;
