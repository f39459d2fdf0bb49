/** One differing place of two normalised answers, with both sides (for the drill-down). */
export interface FieldDifference {
  /** Dotted path in the domain object; a list read's element is `[i]`, e.g. `[3].profile.city`. */
  readonly field: string;
  readonly mongo: unknown;
  readonly pg: unknown;
}

/** Enough to name what differs; a whole broken list would otherwise store thousands of paths. */
const MAX_DIFFERENCES = 50;

/**
 * Where two normalised answers (./normalise.ts) differ, leaf by leaf; empty when they agree. An object
 * missing a key the other has differs at that key; arrays are compared element by element, in order.
 */
export function diffAnswers(mongo: unknown, pg: unknown): FieldDifference[] {
  const out: FieldDifference[] = [];
  walk(mongo, pg, '', out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: FieldDifference[]): void {
  if (out.length >= MAX_DIFFERENCES) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1)
      walk(a[i] ?? null, b[i] ?? null, `${path}[${i}]`, out);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) walk(a[key] ?? null, b[key] ?? null, path ? `${path}.${key}` : key, out);
    return;
  }
  if (a !== b) out.push({ field: path || '(answer)', mongo: a, pg: b });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
