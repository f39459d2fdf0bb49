import { Decimal128, Double, Int32, Long } from 'bson';
import { isNumeric, isPlainObject, typeNumber, TYPE_ALIASES, type Doc } from './bson-types.js';
import { compareValues, valuesEqual } from './compare.js';
import { encodeDecimal128, exactToBigInt, parseDecimalString } from './decimal.js';
import { badValue, notSupported } from './errors.js';
import {
  addNumbers,
  divideNumbers,
  isZero,
  multiplyNumbers,
  numKind,
  subtractNumbers,
  toDouble,
  toExact,
} from './numeric.js';
import { assignOwn, hasOwn, setOwn } from './own.js';
import { getExpressionPath, splitPath } from './path.js';
import { avgOf, sumOf } from './sum.js';

/**
 * Aggregation expressions ($project values, $group keys, $expr): field paths ('$a.b'), system variables
 * ('$$ROOT'), literals, and the operators listed in OPERATORS. Arithmetic goes through numeric.ts so
 * Decimal128 stays exact.
 */
export type Vars = Record<string, unknown>;

export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (isNumeric(v)) return !isZero(v);
  return true;
}

export function evaluate(expr: unknown, root: Doc, vars: Vars = {}): unknown {
  if (typeof expr === 'string') {
    if (expr.startsWith('$$')) return variable(expr.slice(2), root, vars);
    if (expr.startsWith('$')) return getExpressionPath(root, splitPath(expr.slice(1)));
    return expr;
  }
  if (Array.isArray(expr)) return expr.map((e) => evaluate(e, root, vars));
  if (isPlainObject(expr)) {
    const keys = Object.keys(expr);
    const first = keys[0];
    if (keys.length === 1 && first !== undefined && first.startsWith('$')) {
      return operator(first, expr[first], root, vars);
    }
    const out: Doc = {};
    for (const k of keys) {
      const v = evaluate(expr[k], root, vars);
      if (v !== undefined) setOwn(out, k, v);
    }
    return out;
  }
  return expr;
}

/** Operators `operator()` implements; anything else is refused when the expression is parsed. */
// prettier-ignore
const OPERATORS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$cmp',
  '$year', '$month', '$dayOfMonth', '$hour', '$minute', '$second', '$dayOfWeek',
  '$literal', '$add', '$subtract', '$multiply', '$divide', '$abs', '$sum', '$avg', '$min', '$max',
  '$concat', '$toLower', '$toUpper', '$ifNull', '$cond', '$switch', '$and', '$or', '$not', '$in',
  '$size', '$isArray', '$arrayElemAt', '$first', '$last', '$concatArrays', '$mergeObjects', '$type',
  '$toString', '$toDecimal', '$toDouble', '$toInt', '$toLong', '$toBool', '$convert',
]);

const SYSTEM_VARIABLES = new Set(['ROOT', 'CURRENT', 'REMOVE', 'NOW']);

/**
 * Checks an expression as mongod does when it parses a pipeline: every operator known, one operator per
 * object, variables defined. Evaluation then never meets an unknown operator, so a pipeline over no
 * documents is refused exactly like one over many.
 */
export function checkExpression(expr: unknown): void {
  if (typeof expr === 'string') {
    if (expr.startsWith('$$')) {
      const name = splitPath(expr.slice(2))[0] ?? '';
      if (!SYSTEM_VARIABLES.has(name)) throw badValue(`Use of undefined variable: ${name}`);
    } else if (expr === '$') throw badValue("'$' by itself is not a valid FieldPath");
    return;
  }
  if (Array.isArray(expr)) return expr.forEach(checkExpression);
  if (!isPlainObject(expr)) return;
  const keys = Object.keys(expr);
  const first = keys[0];
  if (first !== undefined && first.startsWith('$')) {
    if (keys.length > 1) {
      throw badValue(
        `an expression specification must contain exactly one field, the name of the expression. Found ${keys.length} fields in ${JSON.stringify(keys)}`,
      );
    }
    if (!OPERATORS.has(first)) throw notSupported(`expression operator ${first}`);
    if (first === '$literal') return;
    const arg = expr[first];
    // Operators taking named arguments ($cond, $switch, $convert, dates) hold expressions in them.
    if (isPlainObject(arg) && !Object.keys(arg).some((k) => k.startsWith('$')))
      Object.values(arg).forEach(checkExpression);
    else checkExpression(arg);
    return;
  }
  for (const k of keys) {
    if (k.startsWith('$')) throw badValue(`Field names may not start with '$': ${k}`);
    checkExpression(expr[k]);
  }
}

function variable(spec: string, root: Doc, vars: Vars): unknown {
  const [name = '', ...rest] = splitPath(spec);
  let base: unknown;
  if (name === 'ROOT' || name === 'CURRENT') base = root;
  else if (name === 'REMOVE') return undefined;
  else if (name === 'NOW') base = new Date();
  else if (hasOwn(vars, name)) base = vars[name];
  else throw badValue(`Use of undefined variable: ${name}`);
  return rest.length ? getExpressionPath(base, rest) : base;
}

const isNullish = (v: unknown): boolean => v === null || v === undefined;

function args(arg: unknown, root: Doc, vars: Vars): unknown[] {
  return Array.isArray(arg) ? arg.map((a) => evaluate(a, root, vars)) : [evaluate(arg, root, vars)];
}

function arithmetic(name: string, values: unknown[], op: (a: unknown, b: unknown) => unknown): unknown {
  if (values.some(isNullish)) return null;
  let dateResult = false;
  const nums = values.map((v) => {
    if (v instanceof Date) {
      dateResult = true;
      return Long.fromNumber(v.getTime());
    }
    if (!isNumeric(v)) throw badValue(`${name} only supports numeric or date types`);
    return v;
  });
  let acc: unknown = nums[0] ?? new Int32(0);
  for (const n of nums.slice(1)) acc = op(acc, n);
  return dateResult ? new Date(toDouble(acc)) : acc;
}

function convert(to: string, v: unknown): unknown {
  if (isNullish(v)) return null;
  switch (to) {
    case 'decimal':
      if (typeof v === 'string') return encodeDecimal128(parseDecimalString(v));
      if (typeof v === 'boolean') return Decimal128.fromString(v ? '1' : '0');
      if (v instanceof Date) return Decimal128.fromString(String(v.getTime()));
      return numKind(v) === 'decimal' ? v : encodeDecimal128(toExact(v));
    case 'double':
      if (typeof v === 'string') return new Double(Number(v));
      if (typeof v === 'boolean') return new Double(v ? 1 : 0);
      if (v instanceof Date) return new Double(v.getTime());
      return new Double(toDouble(v));
    case 'int':
      if (typeof v === 'string') return new Int32(Number.parseInt(v, 10));
      if (typeof v === 'boolean') return new Int32(v ? 1 : 0);
      return new Int32(Number(exactToBigInt(toExact(v))));
    case 'long':
      if (typeof v === 'string') return Long.fromString(v);
      if (typeof v === 'boolean') return Long.fromNumber(v ? 1 : 0);
      if (v instanceof Date) return Long.fromNumber(v.getTime());
      return Long.fromBigInt(exactToBigInt(toExact(v)));
    case 'string':
      if (typeof v === 'string') return v;
      if (v instanceof Date) return v.toISOString();
      if (isNumeric(v)) return numKind(v) === 'decimal' ? String(v) : String(toDouble(v));
      return String((v as { toHexString?: () => string }).toHexString?.() ?? v);
    case 'bool':
      return isTruthy(v);
    default:
      throw badValue(`unsupported conversion to ${to}`);
  }
}

const COMPARE: Record<string, (c: number) => unknown> = {
  $eq: (c) => c === 0,
  $ne: (c) => c !== 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
  $cmp: (c) => new Int32(c < 0 ? -1 : c > 0 ? 1 : 0),
};

const DATE_PARTS: Record<string, (d: Date) => number> = {
  $year: (d) => d.getUTCFullYear(),
  $month: (d) => d.getUTCMonth() + 1,
  $dayOfMonth: (d) => d.getUTCDate(),
  $hour: (d) => d.getUTCHours(),
  $minute: (d) => d.getUTCMinutes(),
  $second: (d) => d.getUTCSeconds(),
  $dayOfWeek: (d) => d.getUTCDay() + 1,
};

function operator(op: string, arg: unknown, root: Doc, vars: Vars): unknown {
  const compare = COMPARE[op];
  if (compare) {
    const [a, b] = args(arg, root, vars);
    return compare(compareValues(a ?? null, b ?? null));
  }
  const datePart = DATE_PARTS[op];
  if (datePart) {
    const [d] = args(isPlainObject(arg) && 'date' in arg ? arg.date : arg, root, vars);
    return d instanceof Date ? new Int32(datePart(d)) : null;
  }
  switch (op) {
    case '$literal':
      return arg;
    case '$add':
      return arithmetic(op, args(arg, root, vars), addNumbers);
    case '$subtract':
      return arithmetic(op, args(arg, root, vars), subtractNumbers);
    case '$multiply':
      return arithmetic(op, args(arg, root, vars), multiplyNumbers);
    case '$divide':
      return arithmetic(op, args(arg, root, vars), divideNumbers);
    case '$abs': {
      const [v] = args(arg, root, vars);
      if (isNullish(v)) return null;
      return compareValues(v, new Int32(0)) < 0 ? multiplyNumbers(v, new Int32(-1)) : v;
    }
    case '$sum':
    case '$avg':
    case '$min':
    case '$max': {
      let values = args(arg, root, vars);
      if (!Array.isArray(arg) && Array.isArray(values[0])) values = values[0];
      if (op === '$sum') return sumOf(values);
      if (op === '$avg') return avgOf(values);
      const present = values.filter((v) => !isNullish(v));
      if (present.length === 0) return null;
      return present.reduce((m, v) =>
        (op === '$min' ? compareValues(v, m) < 0 : compareValues(v, m) > 0) ? v : m,
      );
    }
    case '$concat': {
      const values = args(arg, root, vars);
      if (values.some(isNullish)) return null;
      return values.map(String).join('');
    }
    case '$toLower':
    case '$toUpper': {
      const [v] = args(arg, root, vars);
      const s = isNullish(v) ? '' : String(v);
      return op === '$toLower' ? s.toLowerCase() : s.toUpperCase();
    }
    case '$ifNull': {
      const values = args(arg, root, vars);
      return values.find((v) => !isNullish(v)) ?? values[values.length - 1] ?? null;
    }
    case '$cond': {
      const [c, t, f] = Array.isArray(arg)
        ? arg
        : isPlainObject(arg)
          ? [arg.if, arg.then, arg.else]
          : [undefined, undefined, undefined];
      return isTruthy(evaluate(c, root, vars)) ? evaluate(t, root, vars) : evaluate(f, root, vars);
    }
    case '$switch': {
      if (!isPlainObject(arg) || !Array.isArray(arg.branches)) throw badValue('$switch needs branches');
      for (const b of arg.branches as Doc[])
        if (isTruthy(evaluate(b.case, root, vars))) return evaluate(b.then, root, vars);
      if (!hasOwn(arg, 'default')) throw badValue('$switch could not find a matching branch');
      return evaluate(arg.default, root, vars);
    }
    case '$and':
      return (Array.isArray(arg) ? arg : [arg]).every((a) => isTruthy(evaluate(a, root, vars)));
    case '$or':
      return (Array.isArray(arg) ? arg : [arg]).some((a) => isTruthy(evaluate(a, root, vars)));
    case '$not':
      return !isTruthy(args(arg, root, vars)[0]);
    case '$in': {
      const [v, list] = args(arg, root, vars);
      if (!Array.isArray(list)) throw badValue('$in requires an array as a second argument');
      return list.some((x) => valuesEqual(x, v ?? null));
    }
    case '$size': {
      const [v] = args(arg, root, vars);
      if (!Array.isArray(v)) throw badValue('The argument to $size must be an array');
      return new Int32(v.length);
    }
    case '$isArray':
      return Array.isArray(args(arg, root, vars)[0]);
    case '$arrayElemAt': {
      const [a, i] = args(arg, root, vars);
      if (!Array.isArray(a)) return null;
      const idx = Math.trunc(toDouble(i));
      return a[idx < 0 ? a.length + idx : idx];
    }
    case '$first':
    case '$last': {
      const [a] = args(arg, root, vars);
      if (!Array.isArray(a)) return null;
      return op === '$first' ? a[0] : a[a.length - 1];
    }
    case '$concatArrays': {
      const values = args(arg, root, vars);
      if (values.some(isNullish)) return null;
      return values.flatMap((v) => (Array.isArray(v) ? v : []));
    }
    case '$mergeObjects': {
      const out: Doc = {};
      for (const v of args(arg, root, vars)) if (isPlainObject(v)) assignOwn(out, v);
      return out;
    }
    case '$type': {
      const [v] = args(arg, root, vars);
      if (v === undefined) return 'missing';
      const n = typeNumber(v);
      return Object.keys(TYPE_ALIASES).find((k) => TYPE_ALIASES[k] === n) ?? 'object';
    }
    case '$toString':
      return convert('string', args(arg, root, vars)[0]);
    case '$toDecimal':
      return convert('decimal', args(arg, root, vars)[0]);
    case '$toDouble':
      return convert('double', args(arg, root, vars)[0]);
    case '$toInt':
      return convert('int', args(arg, root, vars)[0]);
    case '$toLong':
      return convert('long', args(arg, root, vars)[0]);
    case '$toBool':
      return convert('bool', args(arg, root, vars)[0]);
    case '$convert': {
      if (!isPlainObject(arg)) throw badValue('$convert needs an object');
      return convert(String(arg.to), evaluate(arg.input, root, vars));
    }
    default:
      throw notSupported(`expression operator ${op}`);
  }
}
