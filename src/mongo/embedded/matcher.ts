import {
  bsontype,
  isNumeric,
  isPlainObject,
  TYPE_ALIASES,
  typeNumber,
  typeRank,
  type Doc,
} from './bson-types.js';
import { compareValues, valuesEqual } from './compare.js';
import { badValue, notSupported } from './errors.js';
import { checkExpression, evaluate, isTruthy } from './expression.js';
import { toDouble } from './numeric.js';
import { hasOwn } from './own.js';
import { lookupPath, splitPath, type PathLookup } from './path.js';
import { isBsonRegExp, regexFromQuery } from './regex.js';

/**
 * The query language: a filter document compiled once into a predicate. All comparisons go through
 * compare.ts so numbers of different BSON types (and Decimal128) compare exactly, and values of different
 * types never satisfy $gt/$lt against each other (MongoDB's type bracketing).
 */
export interface MatchContext {
  /** Array index matched by the query, for the positional `$` update operator. */
  pos?: number;
}
export type Matcher = (doc: Doc, ctx?: MatchContext) => boolean;
type LookupTest = (lookup: PathLookup, ctx?: MatchContext) => boolean;
type ValuePred = (v: unknown) => boolean;

export function compileFilter(filter: unknown): Matcher {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw badValue('filter must be an object');
  return compileDocument(filter);
}

/** A DBRef's fields: `$ref`, `$id`, `$db` name fields (not operators) wherever they appear in a filter. */
const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

/** Legacy and current geospatial operators: recognised, so they are refused as unsupported, not unknown. */
const GEO_OPERATORS = new Set([
  '$geoWithin',
  '$within',
  '$geoIntersects',
  '$near',
  '$nearSphere',
  '$box',
  '$center',
  '$centerSphere',
  '$polygon',
  '$geometry',
  '$maxDistance',
  '$minDistance',
  '$uniqueDocs',
]);

function compileDocument(filter: Doc): Matcher {
  const tests: Matcher[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (cond === undefined) continue;
    if (key.startsWith('$') && !DBREF_FIELDS.has(key)) {
      const t = compileTopLevel(key, cond);
      if (t) tests.push(t);
    } else tests.push(compileField(key, cond));
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0] as Matcher;
  return (doc, ctx) => {
    for (const t of tests) if (!t(doc, ctx)) return false;
    return true;
  };
}

function compileTopLevel(op: string, cond: unknown): Matcher | undefined {
  switch (op) {
    case '$and':
    case '$or':
    case '$nor': {
      if (!Array.isArray(cond) || cond.length === 0) throw badValue(`${op} must be a nonempty array`);
      const subs = cond.map((c) => {
        if (!isPlainObject(c)) throw badValue(`${op} argument's entries must be objects`);
        return compileDocument(c);
      });
      if (op === '$and') return (doc, ctx) => subs.every((s) => s(doc, ctx));
      if (op === '$or') return (doc, ctx) => subs.some((s) => s(doc, ctx));
      return (doc) => !subs.some((s) => s(doc));
    }
    case '$comment':
      return undefined;
    case '$expr':
      checkExpression(cond);
      return (doc) => isTruthy(evaluate(cond, doc));
    case '$where':
    case '$text':
    case '$jsonSchema':
    case '$sampleRate':
      throw notSupported(op);
    default:
      throw badValue(`unknown top level operator: ${op}`);
  }
}

/** `{$gt: 1}` rather than a document to compare with (a DBRef `{$ref, $id}` is a document). */
export function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$') && !DBREF_FIELDS.has(first);
}

const LOGICAL = new Set(['$and', '$or', '$nor', '$expr', '$where', '$text', '$comment', '$jsonSchema']);

/**
 * A condition on one array element, as `$elemMatch` (query and projection) and `$pull` take it: made of
 * value operators only (`{$gte: 5}`, tested against the element itself), or else a query on a document
 * element (`{a: 1}`, `{$or: [...]}`), which never matches a scalar element.
 */
export function compileElementPredicate(cond: Doc): (el: unknown) => boolean {
  const keys = Object.keys(cond);
  const valueLevel =
    keys.length > 0 && keys.every((k) => k.startsWith('$') && !LOGICAL.has(k) && !DBREF_FIELDS.has(k));
  if (valueLevel) {
    const test = compileOperators(cond);
    return (el) => test({ values: [{ value: el }], missing: false });
  }
  const m = compileDocument(cond);
  return (el) => isPlainObject(el) && m(el);
}

function compileField(path: string, cond: unknown): Matcher {
  const parts = splitPath(path);
  const test = isOperatorObject(cond) ? compileOperators(cond) : compileImplicitEq(cond);
  return (doc, ctx) => test(lookupPath(doc, parts), ctx);
}

/** True when `pred` holds for a value at the path or, for an array value, any of its elements. */
function anyValue(lookup: PathLookup, pred: ValuePred, ctx?: MatchContext): boolean {
  for (const pv of lookup.values) {
    if (pred(pv.value)) {
      if (ctx && ctx.pos === undefined && pv.pos !== undefined) ctx.pos = pv.pos;
      return true;
    }
    if (Array.isArray(pv.value)) {
      const arr = pv.value;
      for (let i = 0; i < arr.length; i++) {
        if (pred(arr[i])) {
          if (ctx && ctx.pos === undefined) ctx.pos = pv.pos ?? i;
          return true;
        }
      }
    }
  }
  return false;
}

const isNullish = (v: unknown): boolean => v === null || v === undefined;

function eqTest(target: unknown): LookupTest {
  if (target === null) {
    return (lookup, ctx) => lookup.missing || lookup.values.length === 0 || anyValue(lookup, isNullish, ctx);
  }
  return (lookup, ctx) => anyValue(lookup, (v) => valuesEqual(v, target), ctx);
}

function compileImplicitEq(cond: unknown): LookupTest {
  if (isBsonRegExp(cond)) return regexTest(cond, '');
  return eqTest(cond);
}

function regexTest(pattern: unknown, options: string): LookupTest {
  let re: RegExp;
  try {
    re = regexFromQuery(pattern, options);
  } catch (e) {
    throw badValue(e instanceof Error ? e.message : String(e));
  }
  const source = isBsonRegExp(pattern) ? pattern : undefined;
  return (lookup, ctx) =>
    anyValue(
      lookup,
      (v) =>
        (typeof v === 'string' && ((re.lastIndex = 0), re.test(v))) ||
        (source !== undefined && isBsonRegExp(v) && valuesEqual(v, source)),
      ctx,
    );
}

function compileOperators(ops: Doc): LookupTest {
  const tests: LookupTest[] = [];
  const options = typeof ops.$options === 'string' ? ops.$options : '';
  for (const [op, arg] of Object.entries(ops)) {
    if (op === '$options') {
      if (!('$regex' in ops)) throw badValue('$options needs a $regex');
      continue;
    }
    tests.push(compileOperator(op, arg, options));
  }
  return (lookup, ctx) => {
    for (const t of tests) if (!t(lookup, ctx)) return false;
    return true;
  };
}

function rangeTest(op: string, target: unknown): LookupTest {
  if (target === null && (op === '$gte' || op === '$lte')) return eqTest(null);
  const rank = typeRank(target);
  // MinKey and MaxKey compare against every type (no type bracketing).
  const bracketed = bsontype(target) !== 'MinKey' && bsontype(target) !== 'MaxKey';
  const accept =
    op === '$gt'
      ? (c: number) => c > 0
      : op === '$gte'
        ? (c: number) => c >= 0
        : op === '$lt'
          ? (c: number) => c < 0
          : (c: number) => c <= 0;
  return (lookup, ctx) =>
    anyValue(lookup, (v) => (!bracketed || typeRank(v) === rank) && accept(compareValues(v, target)), ctx);
}

function inTest(arg: unknown, op: string): LookupTest {
  if (!Array.isArray(arg)) throw badValue(`${op} needs an array`);
  const tests = arg.map((item) => (isBsonRegExp(item) ? regexTest(item, '') : eqTest(item)));
  return (lookup, ctx) => tests.some((t) => t(lookup, ctx));
}

function typeTest(arg: unknown): LookupTest {
  const wanted = (Array.isArray(arg) ? arg : [arg]).map((t) => {
    if (t === 'number') return 'number';
    if (typeof t === 'string') {
      const n = hasOwn(TYPE_ALIASES, t) ? TYPE_ALIASES[t] : undefined;
      if (n === undefined) throw badValue(`Unknown type name alias: ${t}`);
      return n;
    }
    if (isNumeric(t)) return toDouble(t);
    throw badValue('type must be represented as a number or a string');
  });
  const pred: ValuePred = (v) => wanted.some((w) => (w === 'number' ? isNumeric(v) : typeNumber(v) === w));
  return (lookup, ctx) => anyValue(lookup, pred, ctx);
}

function elemMatchTest(arg: unknown): LookupTest {
  if (!isPlainObject(arg)) throw badValue('$elemMatch needs an Object');
  const pred: ValuePred = compileElementPredicate(arg);
  return (lookup, ctx) => {
    for (const pv of lookup.values) {
      if (!Array.isArray(pv.value)) continue;
      const idx = pv.value.findIndex(pred);
      if (idx >= 0) {
        if (ctx && ctx.pos === undefined) ctx.pos = pv.pos ?? idx;
        return true;
      }
    }
    return false;
  };
}

function compileOperator(op: string, arg: unknown, options: string): LookupTest {
  switch (op) {
    case '$eq':
      return eqTest(arg);
    case '$ne': {
      const t = eqTest(arg);
      return (lookup) => !t(lookup);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return rangeTest(op, arg);
    case '$in':
      return inTest(arg, op);
    case '$nin': {
      const t = inTest(arg, op);
      return (lookup) => !t(lookup);
    }
    case '$exists': {
      const want = arg !== false && arg !== 0 && !(isNumeric(arg) && toDouble(arg) === 0);
      return (lookup, ctx) => {
        const present = lookup.values.length > 0;
        // An element that has the field is a match the positional `$` can refer to.
        if (present && want && ctx && ctx.pos === undefined) {
          const pos = lookup.values.find((pv) => pv.pos !== undefined)?.pos;
          if (pos !== undefined) ctx.pos = pos;
        }
        return present === want;
      };
    }
    case '$type':
      return typeTest(arg);
    case '$regex':
      return regexTest(arg, options);
    case '$not': {
      const inner = isBsonRegExp(arg)
        ? regexTest(arg, '')
        : isOperatorObject(arg)
          ? compileOperators(arg)
          : undefined;
      if (!inner) throw badValue('$not needs a regex or a document');
      return (lookup) => !inner(lookup);
    }
    case '$elemMatch':
      return elemMatchTest(arg);
    case '$size': {
      if (!isNumeric(arg)) throw badValue('$size needs a number');
      const n = toDouble(arg);
      return (lookup) => lookup.values.some((pv) => Array.isArray(pv.value) && pv.value.length === n);
    }
    case '$all': {
      if (!Array.isArray(arg)) throw badValue('$all needs an array');
      if (arg.length === 0) return () => false;
      const tests = arg.map((item) =>
        isPlainObject(item) && '$elemMatch' in item
          ? elemMatchTest(item.$elemMatch)
          : compileImplicitEq(item),
      );
      return (lookup, ctx) => tests.every((t) => t(lookup, ctx));
    }
    case '$mod': {
      if (!Array.isArray(arg) || arg.length !== 2) throw badValue('malformed mod, needs to be an array of 2');
      const d = Math.trunc(toDouble(arg[0]));
      const r = Math.trunc(toDouble(arg[1]));
      if (d === 0) throw badValue('divisor cannot be 0');
      return (lookup, ctx) => anyValue(lookup, (v) => isNumeric(v) && Math.trunc(toDouble(v)) % d === r, ctx);
    }
    case '$comment':
      return () => true;
    default:
      if (op.startsWith('$bits') || GEO_OPERATORS.has(op)) throw notSupported(op);
      throw badValue(`unknown operator: ${op}`);
  }
}
