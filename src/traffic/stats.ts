/** Latency figures of one operation kind (or all of them), in milliseconds. */
export interface OpFigures {
  ops: number;
  acked: number;
  /** Refused by a domain rule the workload expects to hit (an offer already accepted…): an answer, not an error. */
  refused: number;
  callerErrors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Collects each call's outcome and latency; figures are computed once, at the end. */
export class TrafficStats {
  readonly #byOp = new Map<string, { latencies: number[]; acked: number; refused: number; errors: number }>();
  readonly #errors = new Map<string, number>();

  record(op: string, ms: number, outcome: 'acked' | 'refused' | 'error', error?: unknown): void {
    let entry = this.#byOp.get(op);
    if (!entry) this.#byOp.set(op, (entry = { latencies: [], acked: 0, refused: 0, errors: 0 }));
    entry.latencies.push(ms);
    if (outcome === 'acked') entry.acked += 1;
    else if (outcome === 'refused') entry.refused += 1;
    else {
      entry.errors += 1;
      const name =
        `${op}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 300);
      this.#errors.set(name, (this.#errors.get(name) ?? 0) + 1);
    }
  }

  get ops(): number {
    let ops = 0;
    for (const entry of this.#byOp.values()) ops += entry.latencies.length;
    return ops;
  }

  figures(): OpFigures & { byOp: Record<string, OpFigures>; errors: Record<string, number> } {
    const all: number[] = [];
    const byOp: Record<string, OpFigures> = {};
    let acked = 0;
    let refused = 0;
    let callerErrors = 0;
    for (const [op, entry] of [...this.#byOp].sort(([a], [b]) => a.localeCompare(b))) {
      all.push(...entry.latencies);
      acked += entry.acked;
      refused += entry.refused;
      callerErrors += entry.errors;
      byOp[op] = {
        ops: entry.latencies.length,
        acked: entry.acked,
        refused: entry.refused,
        callerErrors: entry.errors,
        ...percentiles(entry.latencies),
      };
    }
    return {
      ops: all.length,
      acked,
      refused,
      callerErrors,
      ...percentiles(all),
      byOp,
      errors: Object.fromEntries(this.#errors),
    };
  }
}

function percentiles(latencies: readonly number[]): { p50Ms: number | null; p99Ms: number | null } {
  if (latencies.length === 0) return { p50Ms: null, p99Ms: null };
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
