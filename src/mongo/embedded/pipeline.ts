import { Int32, Long } from 'bson';
import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { valueKey, valuesEqual } from './compare.js';
import type { Collection } from './collection.js';
import { compileAccumulator, type AccumulatorFactory } from './accumulators.js';
import { bucketAuto, bucketRanges, parseBucketAuto } from './bucket-auto.js';
import { badValue, CommandError, notSupported } from './errors.js';
import { checkExpression, evaluate } from './expression.js';
import type { HintPlan } from './hint.js';
import { compileFilter } from './matcher.js';
import { multiplyNumbers, toDouble } from './numeric.js';
import { hasOwn, setOwn } from './own.js';
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
      setOwn(out, k, repeatedSum((v as Doc).$sum, hits.length));
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

type Stage = (docs: Doc[]) => Doc[];

export function runPipeline(
  coll: Collection | undefined,
  pipeline: unknown[],
  resolve: CollectionResolver,
  hint?: HintPlan,
): Doc[] {
  const stages = pipeline.map(stageOf);
  // Every stage is parsed before any runs: a bad stage is refused even when no document reaches it.
  const compiled = stages.map(([name, spec]) => compileStage(name, spec, resolve));
  const { query, rest } = pushdown(stages);
  query.hint = hint;
  const next = rest[0];
  if (next?.[0] === '$bucketAuto' && query.sort === undefined) query.sort = { _id: new Int32(1) };
  const hits = findRecords(coll, query);
  const remaining = compiled.slice(stages.length - rest.length);
  if (next) {
    const fast = fastPath(hits, next[0], next[1]);
    if (fast) return runStages(fast, remaining.slice(1));
  }
  return runStages(hits.map(docOf), remaining);
}

function runStages(input: Doc[], stages: Stage[]): Doc[] {
  let docs = input;
  for (const stage of stages) docs = stage(docs);
  return docs;
}

function compileGroup(spec: unknown): Stage {
  if (!isPlainObject(spec) || !hasOwn(spec, '_id'))
    throw badValue('a group specification must include an _id');
  checkExpression(spec._id);
  const fields: [string, AccumulatorFactory][] = Object.entries(spec)
    .filter(([k]) => k !== '_id')
    .map(([k, v]) => [k, compileAccumulator(k, v)]);
  return (docs) => {
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
      fields.forEach(([k], i) => setOwn(out, k, g.accs[i]?.result()));
      return out;
    });
  };
}

const UNWIND_OPTIONS = new Set(['path', 'includeArrayIndex', 'preserveNullAndEmptyArrays']);

function compileUnwind(spec: unknown): Stage {
  const opts = typeof spec === 'string' ? { path: spec } : isPlainObject(spec) ? spec : undefined;
  if (!opts || typeof opts.path !== 'string' || !opts.path.startsWith('$')) {
    throw badValue('$unwind requires a path starting with $');
  }
  for (const k of Object.keys(opts))
    if (!UNWIND_OPTIONS.has(k)) throw badValue(`unrecognized option to $unwind: ${k}`);
  return (docs) => unwind(docs, opts);
}

function unwind(docs: Doc[], opts: Doc): Doc[] {
  const path = opts.path as string;
  const parts = splitPath(path.slice(1));
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
  for (const [k, v] of Object.entries(doc)) setOwn(out, k, isPlainObject(v) ? structuredCloneDoc(v) : v);
  return out;
}

const LOOKUP_FIELDS = new Set(['from', 'as', 'localField', 'foreignField']);

function compileLookup(spec: unknown, resolve: CollectionResolver): Stage {
  if (!isPlainObject(spec) || typeof spec.from !== 'string' || typeof spec.as !== 'string')
    throw badValue('$lookup needs from and as');
  for (const k of Object.keys(spec)) {
    if (k === 'pipeline' || k === 'let') throw notSupported(`$lookup with ${k}`);
    if (!LOOKUP_FIELDS.has(k)) throw badValue(`unknown argument to $lookup: ${k}`);
  }
  if (typeof spec.localField !== 'string' || typeof spec.foreignField !== 'string')
    throw badValue('$lookup requires localField and foreignField');
  return (docs) => lookup(docs, spec, resolve);
}

function lookup(docs: Doc[], spec: Doc, resolve: CollectionResolver): Doc[] {
  const from = spec.from as string;
  const localField = spec.localField as string;
  const foreignField = spec.foreignField as string;
  const foreign = findRecords(resolve(from), {}).map(docOf);
  const local = splitPath(localField);
  const foreignPath = splitPath(foreignField);
  const as = splitPath(spec.as as string);
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

function nonNegative(name: string, spec: unknown, positive: boolean): number {
  const n = isNumeric(spec) ? toDouble(spec) : NaN;
  if (!Number.isInteger(n) || n < 0 || (positive && n === 0))
    throw badValue(
      `invalid argument to ${name} stage: ${positive ? 'the limit must be positive' : 'must be a non-negative integer'}`,
    );
  return n;
}

function compileStage(name: string, spec: unknown, resolve: CollectionResolver): Stage {
  switch (name) {
    case '$match': {
      const m = compileFilter(spec);
      return (docs) => docs.filter((d) => m(d));
    }
    case '$sort': {
      const keys = parseSort(spec);
      if (keys.length === 0) throw badValue('$sort stage must have at least one sort key');
      return (docs) => sortItems(docs, keys, (d) => d);
    }
    case '$limit': {
      const n = nonNegative(name, spec, true);
      return (docs) => docs.slice(0, n);
    }
    case '$skip': {
      const n = nonNegative(name, spec, false);
      return (docs) => docs.slice(n);
    }
    case '$project': {
      const p = compileProjection(spec, { mode: 'aggregate' });
      if (!p) throw badValue('$project requires at least one output field');
      return (docs) => docs.map(p);
    }
    case '$unset': {
      const fields = Array.isArray(spec) ? spec : [spec];
      if (fields.length === 0 || fields.some((f) => typeof f !== 'string' || f === ''))
        throw badValue('$unset specification must be a string or an array of non-empty strings');
      const p = compileProjection(Object.fromEntries(fields.map((f) => [f as string, new Int32(0)])), {
        mode: 'aggregate',
      });
      return (docs) => (p ? docs.map(p) : docs);
    }
    case '$addFields':
    case '$set': {
      if (!isPlainObject(spec)) throw badValue(`${name} specification must be an object`);
      const fields = Object.entries(spec).map(([path, expr]) => {
        checkExpression(expr);
        return [splitPath(path), expr] as const;
      });
      return (docs) =>
        docs.map((d) => {
          const copy = structuredCloneDoc(d);
          for (const [parts, expr] of fields) setAt(copy, parts, evaluate(expr, d));
          return copy;
        });
    }
    case '$replaceRoot':
    case '$replaceWith': {
      if (name === '$replaceRoot' && (!isPlainObject(spec) || Object.keys(spec).join() !== 'newRoot'))
        throw badValue("$replaceRoot takes exactly one argument, 'newRoot'");
      const expr = name === '$replaceRoot' ? (spec as Doc).newRoot : spec;
      checkExpression(expr);
      return (docs) =>
        docs.map((d) => {
          const v = evaluate(expr, d);
          if (!isPlainObject(v)) throw badValue(`'newRoot' expression must evaluate to an object`);
          return v;
        });
    }
    case '$group':
      return compileGroup(spec);
    case '$count': {
      if (typeof spec !== 'string' || spec === '' || spec.startsWith('$') || spec.includes('.'))
        throw badValue('$count requires a non-empty field name without $ or .');
      return (docs) => (docs.length ? [{ [spec]: new Int32(docs.length) }] : []);
    }
    case '$sortByCount': {
      const g = compileGroup({ _id: spec, count: { $sum: new Int32(1) } });
      const byCount = parseSort({ count: new Int32(-1) });
      return (docs) => sortItems(g(docs), byCount, (d) => d);
    }
    case '$unwind':
      return compileUnwind(spec);
    case '$bucketAuto': {
      const b = parseBucketAuto(spec);
      return (docs) => bucketAuto(docs, b);
    }
    case '$lookup':
      return compileLookup(spec, resolve);
    default:
      if (MONGODB_STAGES.has(name)) throw notSupported(`aggregation stage ${name}`);
      throw new CommandError('Location40324', `Unrecognized pipeline stage name: '${name}'`);
  }
}

/** Stages MongoDB has and this server does not: refused as unsupported rather than unknown. */
// prettier-ignore
const MONGODB_STAGES = new Set([
  '$bucket', '$changeStream', '$changeStreamSplitLargeEvent', '$collStats', '$currentOp', '$densify',
  '$documents', '$facet', '$fill', '$geoNear', '$graphLookup', '$indexStats', '$listLocalSessions',
  '$listSampledQueries', '$listSearchIndexes', '$listSessions', '$merge', '$out', '$planCacheStats',
  '$redact', '$sample', '$search', '$searchMeta', '$setWindowFields', '$shardedDataDistribution',
  '$unionWith', '$vectorSearch',
]);
