import { isPlainObject, typeRank, type Doc } from './bson-types.js';
import { badValue } from './errors.js';
import { compareValues, valueKey } from './compare.js';
import type { Collection } from './collection.js';
import type { HintPlan } from './hint.js';
import type { Bound } from './id-index.js';
import { compileFilter, isOperatorObject, type Matcher } from './matcher.js';
import { decode } from './raw-bson.js';
import { compareRecords, type DocRecord } from './record.js';
import { parseSort, sortItems, type SortKey } from './sort.js';
import { isBsonRegExp } from './regex.js';

/**
 * Query execution over one collection. The planner looks for `_id` constraints at the top level (or in
 * a top-level $and): equality/$in become Map lookups, $gt/$gte/$lt/$lte a bisected range of the _id
 * order. When the filter is nothing but those constraints, documents are not even decoded. Results in
 * _id order (no sort, or a sort on _id) stream with early exit at skip + limit.
 */
export interface QueryOptions {
  filter?: unknown;
  sort?: unknown;
  skip?: number;
  /** 0 or undefined = no limit. */
  limit?: number;
  /** A resolved `hint` (hint.ts). */
  hint?: HintPlan | undefined;
}

export interface Hit {
  rec: DocRecord;
  /** The snapshot of the bytes at query time. */
  bytes: Buffer;
  /** Present when the document had to be decoded anyway. */
  doc?: Doc;
}

interface IdPlan {
  points?: unknown[];
  lo?: Bound;
  hi?: Bound;
  /** The plan alone decides the result: no need to run the matcher. */
  covered: boolean;
}

const RANGE_OPS = new Set(['$gt', '$gte', '$lt', '$lte', '$eq', '$in']);

function tighten(plan: IdPlan, op: string, v: unknown): void {
  if (op === '$gt' || op === '$gte') {
    const b = { value: v, inclusive: op === '$gte' };
    if (
      !plan.lo ||
      compareValues(v, plan.lo.value) > 0 ||
      (compareValues(v, plan.lo.value) === 0 && !b.inclusive)
    )
      plan.lo = b;
  } else if (op === '$lt' || op === '$lte') {
    const b = { value: v, inclusive: op === '$lte' };
    if (
      !plan.hi ||
      compareValues(v, plan.hi.value) < 0 ||
      (compareValues(v, plan.hi.value) === 0 && !b.inclusive)
    )
      plan.hi = b;
  }
}

function addIdConstraint(plan: IdPlan, cond: unknown): boolean {
  if (!isOperatorObject(cond)) {
    if (isBsonRegExp(cond) || Array.isArray(cond)) return false;
    plan.points = plan.points ? plan.points.filter((p) => valueKey(p) === valueKey(cond)) : [cond];
    return true;
  }
  let covered = true;
  for (const [op, v] of Object.entries(cond)) {
    if (!RANGE_OPS.has(op)) {
      covered = false;
      continue;
    }
    if (op === '$eq' || op === '$in') {
      const list = op === '$eq' ? [v] : v;
      if (!Array.isArray(list) || list.some((x) => isBsonRegExp(x) || Array.isArray(x) || x === null)) {
        covered = false;
        continue;
      }
      const keys = new Set(list.map(valueKey));
      plan.points = plan.points ? plan.points.filter((p) => keys.has(valueKey(p))) : list;
    } else if (v === null || Array.isArray(v) || typeRank(v) === typeRank(null)) covered = false;
    else tighten(plan, op, v);
  }
  return covered;
}

export function planIdQuery(filter: unknown): IdPlan | undefined {
  if (!isPlainObject(filter)) return undefined;
  const plan: IdPlan = { covered: true };
  let used = false;
  const visit = (f: Doc): void => {
    for (const [key, cond] of Object.entries(f)) {
      if (key === '_id') {
        used = true;
        if (!addIdConstraint(plan, cond)) plan.covered = false;
      } else if (key === '$and' && Array.isArray(cond)) {
        for (const sub of cond) if (isPlainObject(sub)) visit(sub);
      } else if (key !== '$comment') plan.covered = false;
    }
  };
  visit(filter);
  // Points and a range together: use the points, and let the matcher apply the range.
  if (plan.points && (plan.lo || plan.hi)) plan.covered = false;
  if (!used || (!plan.points && !plan.lo && !plan.hi)) return undefined;
  return plan;
}

function isIdSort(keys: SortKey[]): 1 | -1 | undefined {
  if (keys.length === 1 && keys[0]?.parts.length === 1 && keys[0].parts[0] === '_id') return keys[0].dir;
  return undefined;
}

/** Candidate records in _id order (dir) or natural order (dir undefined; reversed for `{$natural: -1}`). */
function* candidates(
  coll: Collection,
  plan: IdPlan | undefined,
  dir: 1 | -1 | undefined,
  reverseNatural = false,
): Generator<DocRecord> {
  if (plan?.points) {
    const recs: DocRecord[] = [];
    const seen = new Set<string>();
    for (const p of plan.points) {
      const rec = coll.ids.get(valueKey(p));
      if (rec && !seen.has(rec.key)) {
        seen.add(rec.key);
        recs.push(rec);
      }
    }
    recs.sort(compareRecords);
    if (dir === -1) recs.reverse();
    yield* recs;
    return;
  }
  if (plan || dir !== undefined) {
    const ordered = coll.ids.ordered();
    const [start, end] = plan ? coll.ids.range(plan.lo, plan.hi, typeRank) : [0, ordered.length];
    if (dir === -1) for (let i = end - 1; i >= start; i--) yield ordered[i] as DocRecord;
    else for (let i = start; i < end; i++) yield ordered[i] as DocRecord;
    return;
  }
  if (reverseNatural) yield* [...coll.ids.records()].reverse();
  else yield* coll.ids.records();
}

/** A `{$natural: ±1}` sort is a scan direction, not a field: it becomes a `$natural` hint. */
function naturalSort(sort: unknown): { sort: unknown; natural?: 1 | -1 } {
  if (!isPlainObject(sort) || !Object.hasOwn(sort, '$natural')) return { sort };
  if (Object.keys(sort).length !== 1)
    throw badValue('$natural sort cannot be combined with other sort fields');
  return { sort: undefined, natural: compareValues(sort.$natural, 0) < 0 ? -1 : 1 };
}

export function findRecords(coll: Collection | undefined, options: QueryOptions): Hit[] {
  // Parsed before anything else, so a bad filter or sort is refused even on a missing collection.
  const filterMatcher = compileFilter(options.filter);
  const { sort, natural } = naturalSort(options.sort);
  const explicitSort = parseSort(sort);
  if (!coll) return [];
  const hint = natural ? { natural } : options.hint;
  const sortKeys = explicitSort.length > 0 ? explicitSort : (hint?.order ?? []);
  const plan = hint?.natural ? undefined : planIdQuery(options.filter);
  let matcher: Matcher | undefined = plan?.covered ? undefined : filterMatcher;
  const admits = hint?.admits;
  if (admits) {
    const inner = matcher;
    matcher = inner ? (doc, ctx) => admits(doc) && inner(doc, ctx) : (doc) => admits(doc);
  }
  const idDir = sortKeys.length === 0 ? (plan ? 1 : undefined) : isIdSort(sortKeys);
  const skip = Math.max(0, options.skip ?? 0);
  const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
  const trivial = !matcher || (isEmptyFilter(options.filter) && !admits);
  const out: Hit[] = [];

  if (trivial && idDir !== undefined && !plan?.points) {
    // Nothing to match and the order is the index's: skip and limit are array arithmetic, so
    // "sort {_id: 1}, skip k, limit 1" (split points) costs O(log n) however large k is.
    const ordered = coll.ids.ordered();
    if (coll.ids.dense) {
      const [start, end] = plan ? coll.ids.range(plan.lo, plan.hi, typeRank) : [0, ordered.length];
      const count = Math.max(0, Math.min(end - start - skip, limit));
      const from = idDir === 1 ? start + skip : end - skip - count;
      const slice = ordered.slice(from, from + count);
      if (idDir === -1) slice.reverse();
      return slice.map((rec) => ({ rec, bytes: rec.bytes }));
    }
  }

  if (sortKeys.length === 0 || idDir !== undefined) {
    // Streaming: the source order is the result order, so stop as soon as skip + limit are satisfied.
    let skipped = 0;
    for (const rec of candidates(coll, plan, idDir, hint?.natural === -1)) {
      if (rec.deleted) continue;
      const bytes = rec.bytes;
      let doc: Doc | undefined;
      if (!trivial) {
        doc = decode(bytes);
        if (!(matcher as Matcher)(doc)) continue;
      }
      if (skipped < skip) {
        skipped++;
        continue;
      }
      out.push(doc ? { rec, bytes, doc } : { rec, bytes });
      if (out.length >= limit) break;
    }
    return out;
  }

  for (const rec of candidates(coll, plan, undefined)) {
    if (rec.deleted) continue;
    const bytes = rec.bytes;
    const doc = decode(bytes);
    if (matcher && !matcher(doc)) continue;
    out.push({ rec, bytes, doc });
  }
  const sorted = sortItems(out, sortKeys, (h) => h.doc as Doc);
  return sorted.slice(skip, limit === Infinity ? undefined : skip + limit);
}

function isEmptyFilter(filter: unknown): boolean {
  return (
    filter === undefined || filter === null || (isPlainObject(filter) && Object.keys(filter).length === 0)
  );
}

export function docOf(hit: Hit): Doc {
  if (!hit.doc) hit.doc = decode(hit.bytes);
  return hit.doc;
}

export function countMatching(coll: Collection | undefined, filter: unknown, hint?: HintPlan): number {
  if (coll && isEmptyFilter(filter) && !hint?.admits) return coll.count;
  return findRecords(coll, { filter, hint }).length;
}
