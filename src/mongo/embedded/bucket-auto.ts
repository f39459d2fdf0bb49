import { Int32 } from 'bson';
import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { compareValues } from './compare.js';
import { badValue, notSupported } from './errors.js';
import { compileAccumulator } from './accumulators.js';
import { checkExpression, evaluate } from './expression.js';
import { toDouble } from './numeric.js';
import { setOwn } from './own.js';

/**
 * $bucketAuto, MongoDB's algorithm: sort by the groupBy value, fill each bucket with round(n / buckets)
 * documents (never splitting equal values), the last bucket taking the rest. A bucket's max is the next
 * bucket's min (exclusive); the last bucket's max is its largest value (inclusive).
 * The backfill planner uses {$bucketAuto: {groupBy: '$_id', buckets: N}} to get _id split points.
 */
export interface BucketAutoSpec {
  groupBy: unknown;
  buckets: number;
  output?: Doc;
}

export function parseBucketAuto(spec: unknown): BucketAutoSpec {
  if (!isPlainObject(spec)) throw badValue('$bucketAuto requires an object');
  for (const k of Object.keys(spec)) {
    if (k === 'granularity') throw notSupported('$bucketAuto granularity');
    if (k !== 'groupBy' && k !== 'buckets' && k !== 'output')
      throw badValue(`Unrecognized option to $bucketAuto: ${k}.`);
  }
  if (!isNumeric(spec.buckets) || toDouble(spec.buckets) < 1)
    throw badValue("$bucketAuto requires 'buckets' to be a positive integer");
  if (typeof spec.groupBy !== 'string' && !isPlainObject(spec.groupBy))
    throw badValue("$bucketAuto requires 'groupBy'");
  checkExpression(spec.groupBy);
  if (spec.output !== undefined) {
    if (!isPlainObject(spec.output)) throw badValue("$bucketAuto 'output' must be an object");
    for (const [name, acc] of Object.entries(spec.output)) compileAccumulator(name, acc);
  }
  return {
    groupBy: spec.groupBy,
    buckets: Math.trunc(toDouble(spec.buckets)),
    ...(isPlainObject(spec.output) ? { output: spec.output } : {}),
  };
}

/** Bucket boundaries as [start, end) positions over `n` sorted values. */
export function bucketRanges(
  n: number,
  buckets: number,
  sameAsPrevious: (i: number) => boolean,
): [number, number][] {
  const approx = Math.max(1, Math.round(n / buckets));
  const out: [number, number][] = [];
  let start = 0;
  while (start < n) {
    let end = out.length === buckets - 1 ? n : Math.min(n, start + approx);
    while (end < n && sameAsPrevious(end)) end++;
    out.push([start, end]);
    start = end;
  }
  return out;
}

export function bucketAuto(docs: Doc[], spec: BucketAutoSpec): Doc[] {
  const keyed = docs
    .map((doc) => ({ doc, key: evaluate(spec.groupBy, doc) ?? null }))
    .sort((a, b) => compareValues(a.key, b.key));
  const ranges = bucketRanges(
    keyed.length,
    spec.buckets,
    (i) => compareValues(keyed[i]?.key, keyed[i - 1]?.key) === 0,
  );
  const output = spec.output ?? { count: { $sum: new Int32(1) } };
  const factories = Object.entries(output).map(
    ([name, acc]) => [name, compileAccumulator(name, acc)] as const,
  );
  return ranges.map(([start, end], i) => {
    const next = ranges[i + 1];
    const min = keyed[start]?.key;
    const max = next ? keyed[next[0]]?.key : keyed[end - 1]?.key;
    const out: Doc = { _id: { min, max } };
    for (const [name, factory] of factories) {
      const acc = factory();
      for (let j = start; j < end; j++) acc.add((keyed[j] as { doc: Doc }).doc);
      setOwn(out, name, acc.result());
    }
    return out;
  });
}
