import { Int32, Long } from 'bson';
import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { valueKey, valuesEqual } from './compare.js';
import type { Collection } from './collection.js';
import { compileAccumulator, type AccumulatorFactory } from './accumulators.js';
import { bucketAuto, bucketRanges, parseBucketAuto } from './bucket-auto.js';
import { badValue, notSupported } from './errors.js';
import { evaluate } from './expression.js';
import { compileFilter } from './matcher.js';
import { multiplyNumbers, toDouble } from './numeric.js';
import { getExpressionPath, splitPath } from './path.js';
import { compileProjection } from './projection.js';
import { docOf, findRecords, type Hit, type QueryOptions } from './query.js';
import { recordId } from './record.js';
import { parseSort, sortItems } from './sort.js';
import { setAt } from './update-path.js';

/**
 * Aggregation pipelines. A leading $match/$sort/$skip/$limit runs as a find (so it uses the _id index),
 * a following count-style $group or $count or `$bucketAuto` on `$_id` is answered from the index without
 * decoding documents, and the rest runs stage by stage over decoded documents.
 */
export type CollectionResolver = (name: string) => Collection | undefined;

function stageOf(stage: unknown): [string, unknown] {
  if (!isPlainObject(stage)) throw badValue('Each element of the pipeline array must be an object');
  const keys = Object.keys(stage);
  if (keys.length !== 1)
    throw badValue('A pipeline stage specification object must contain exactly one field.');
  const name = keys[0] as string;
  return [name, stage[name]];
}

/** Leading stages that a find can do: $match* then optional $sort, $skip, $limit, in that order. */
function pushdown(stages: [string, unknown][]): { query: QueryOptions; rest: [string, unknown][] } {
  const filters: unknown[] = [];
  const query: QueryOptions = {};
  let i = 0;
  while (i < stages.length && stages[i]?.[0] === '$match') filters.push(stages[i++]?.[1]);
  if (stages[i]?.[0] === '$sort') query.sort = stages[i++]?.[1];
  if (stages[i]?.[0] === '$skip') query.skip = toDouble(stages[i++]?.[1]);
  if (stages[i]?.[0] === '$limit') query.limit = toDouble(stages[i++]?.[1]);
  if (filters.length === 1) query.filter = filters[0];
  else if (filters.length > 1) query.filter = { $and: filters };
  return { query, rest: stages.slice(i) };
}

/** {$group: {_id: <constant>, n: {$sum: <number>}}}: the answer needs only the number of documents. */
function countOnlyGroup(spec: unknown): boolean {
  if (!isPlainObject(spec)) return false;
  const idExpr = JSON.stringify(spec._id ?? null);
  if (idExpr.includes('"$')) return false;
  return Object.entries(spec).every(
    ([k, v]) => k === '_id' || (isPlainObject(v) && Object.keys(v).length === 1 && isNumeric(v.$sum)),
  );
}

function fastPath(hits: Hit[], name: string, spec: unknown): Doc[] | undefined {
  if (name === '$count' && typeof spec === 'string')
    return hits.length ? [{ [spec]: new Int32(hits.length) }] : [];
  if (name === '$group' && countOnlyGroup(spec)) {
    if (hits.length === 0) return [];
    const g = spec as Doc;
    const out: Doc = { _id: evaluate(g._id ?? null, {}) };
    for (const [k, v] of Object.entries(g)) {
      if (k === '_id') continue;
      out[k] = repeatedSum((v as Doc).$sum, hits.length);
    }
    return [out];
  }
  if (name === '$bucketAuto') {
    const b = parseBucketAuto(spec);
    if (b.groupBy !== '$_id' || b.output) return undefined;
    // hits are in _id order (the pushdown asked for it): boundaries come straight from the index.
    const ranges = bucketRanges(hits.length, b.buckets, () => false);
    return ranges.map(([start, end], i) => {
      const next = ranges[i + 1];
      const maxHit = next ? hits[next[0]] : hits[end - 1];
      return {
        _id: { min: recordId((hits[start] as Hit).rec), max: recordId((maxHit as Hit).rec) },
        count: new Int32(end - start),
      };
    });
  }
  return undefined;
}

/** n documents each adding `per`: per × n has exactly the type and value repeated $sum would give. */
function repeatedSum(per: unknown, n: number): unknown {
  return multiplyNumbers(per, n <= 2 ** 31 - 1 ? new Int32(n) : Long.fromNumber(n));
}

export function runPipeline(
  coll: Collection | undefined,
  pipeline: unknown[],
  resolve: CollectionResolver,
): Doc[] {
  const stages = pipeline.map(stageOf);
  const { query, rest } = pushdown(stages);
  const next = rest[0];
  if (next?.[0] === '$bucketAuto' && query.sort === undefined) query.sort = { _id: new Int32(1) };
  const hits = findRecords(coll, query);
  if (next) {
    const fast = fastPath(hits, next[0], next[1]);
    if (fast) return runStages(fast, rest.slice(1), resolve);
  }
  return runStages(hits.map(docOf), rest, resolve);
}

function runStages(input: Doc[], stages: [string, unknown][], resolve: CollectionResolver): Doc[] {
  let docs = input;
  for (const [name, spec] of stages) docs = runStage(docs, name, spec, resolve);
  return docs;
}

function group(docs: Doc[], spec: unknown): Doc[] {
  if (!isPlainObject(spec) || !('_id' in spec)) throw badValue('a group specification must include an _id');
  const fields: [string, AccumulatorFactory][] = Object.entries(spec)
    .filter(([k]) => k !== '_id')
    .map(([k, v]) => [k, compileAccumulator(k, v)]);
  const groups = new Map<string, { id: unknown; accs: ReturnType<AccumulatorFactory>[] }>();
  for (const doc of docs) {
    const id = evaluate(spec._id, doc) ?? null;
    const key = valueKey(id);
    let g = groups.get(key);
    if (!g) {
      g = { id, accs: fields.map(([, f]) => f()) };
      groups.set(key, g);
    }
    for (const acc of g.accs) acc.add(doc);
  }
  return [...groups.values()].map((g) => {
    const out: Doc = { _id: g.id };
    fields.forEach(([k], i) => {
      out[k] = g.accs[i]?.result();
    });
    return out;
  });
}

function unwind(docs: Doc[], spec: unknown): Doc[] {
  const opts = typeof spec === 'string' ? { path: spec } : isPlainObject(spec) ? spec : undefined;
  if (!opts || typeof opts.path !== 'string' || !opts.path.startsWith('$')) {
    throw badValue('$unwind requires a path starting with $');
  }
  const parts = splitPath(opts.path.slice(1));
  const keep = opts.preserveNullAndEmptyArrays === true;
  const indexField =
    typeof opts.includeArrayIndex === 'string' ? splitPath(opts.includeArrayIndex) : undefined;
  const out: Doc[] = [];
  for (const doc of docs) {
    const v = getExpressionPath(doc, parts);
    if (Array.isArray(v) && v.length > 0) {
      v.forEach((el, i) => {
        const copy = structuredCloneDoc(doc);
        setAt(copy, parts, el);
        if (indexField) setAt(copy, indexField, new Int32(i));
        out.push(copy);
      });
    } else if (v !== undefined && v !== null && !Array.isArray(v)) {
      const copy = structuredCloneDoc(doc);
      if (indexField) setAt(copy, indexField, null);
      out.push(copy);
    } else if (keep) {
      const copy = structuredCloneDoc(doc);
      if (indexField) setAt(copy, indexField, null);
      out.push(copy);
    }
  }
  return out;
}

function structuredCloneDoc(doc: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) out[k] = isPlainObject(v) ? structuredCloneDoc(v) : v;
  return out;
}

function lookup(docs: Doc[], spec: unknown, resolve: CollectionResolver): Doc[] {
  if (!isPlainObject(spec) || typeof spec.from !== 'string' || typeof spec.as !== 'string')
    throw badValue('$lookup needs from and as');
  if (typeof spec.localField !== 'string' || typeof spec.foreignField !== 'string')
    throw notSupported('$lookup with pipeline');
  const foreign = findRecords(resolve(spec.from), {}).map(docOf);
  const local = splitPath(spec.localField);
  const foreignPath = splitPath(spec.foreignField);
  const as = splitPath(spec.as);
  return docs.map((doc) => {
    const lv = getExpressionPath(doc, local) ?? null;
    const wanted = Array.isArray(lv) ? lv : [lv];
    const matches = foreign.filter((f) => {
      const fv = getExpressionPath(f, foreignPath) ?? null;
      const have = Array.isArray(fv) ? fv : [fv];
      return have.some((h) => wanted.some((w) => valuesEqual(h, w)));
    });
    const copy = structuredCloneDoc(doc);
    setAt(copy, as, matches);
    return copy;
  });
}

function runStage(docs: Doc[], name: string, spec: unknown, resolve: CollectionResolver): Doc[] {
  switch (name) {
    case '$match': {
      const m = compileFilter(spec);
      return docs.filter((d) => m(d));
    }
    case '$sort':
      return sortItems(docs, parseSort(spec), (d) => d);
    case '$limit':
      return docs.slice(0, toDouble(spec));
    case '$skip':
      return docs.slice(toDouble(spec));
    case '$project': {
      const p = compileProjection(spec);
      return p ? docs.map(p) : docs;
    }
    case '$unset': {
      const fields = Array.isArray(spec) ? spec : [spec];
      const p = compileProjection(Object.fromEntries(fields.map((f) => [String(f), new Int32(0)])));
      return p ? docs.map(p) : docs;
    }
    case '$addFields':
    case '$set': {
      if (!isPlainObject(spec)) throw badValue(`${name} specification must be an object`);
      return docs.map((d) => {
        const copy = structuredCloneDoc(d);
        for (const [path, expr] of Object.entries(spec)) setAt(copy, splitPath(path), evaluate(expr, d));
        return copy;
      });
    }
    case '$replaceRoot':
    case '$replaceWith': {
      const expr = name === '$replaceRoot' && isPlainObject(spec) ? spec.newRoot : spec;
      return docs.map((d) => {
        const v = evaluate(expr, d);
        if (!isPlainObject(v)) throw badValue(`'newRoot' expression must evaluate to an object`);
        return v;
      });
    }
    case '$group':
      return group(docs, spec);
    case '$count':
      if (typeof spec !== 'string' || spec === '') throw badValue('$count requires a field name');
      return docs.length ? [{ [spec]: new Int32(docs.length) }] : [];
    case '$sortByCount':
      return sortItems(
        group(docs, { _id: spec, count: { $sum: new Int32(1) } }),
        parseSort({ count: new Int32(-1) }),
        (d) => d,
      );
    case '$unwind':
      return unwind(docs, spec);
    case '$bucketAuto':
      return bucketAuto(docs, parseBucketAuto(spec));
    case '$lookup':
      return lookup(docs, spec, resolve);
    default:
      throw notSupported(`aggregation stage ${name}`);
  }
}
