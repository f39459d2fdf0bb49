import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { badValue, notSupported } from './errors.js';
import { checkExpression, evaluate } from './expression.js';
import { compileElementPredicate, compileFilter, isOperatorObject, type MatchContext } from './matcher.js';
import { toDouble } from './numeric.js';
import { assignOwn, getOwn, hasOwn, setOwn } from './own.js';
import { splitPath } from './path.js';
import { getAt, setAt } from './update-path.js';

/**
 * Projections: inclusion ({a: 1, 'b.c': 1}, or nested: {b: {c: 1}}), exclusion ({a: 0}), computed fields
 * ({x: '$a'}), and in find only the array operators: positional `a.$` and `$elemMatch` (the first
 * matching element) and `$slice`. _id is included unless excluded explicitly. In a $project stage an
 * object value that starts with `$` is an expression, as in MongoDB.
 */
export type Projector = (doc: Doc) => Doc;

export interface ProjectionOptions {
  /** @defaultValue 'find' */
  mode?: 'find' | 'aggregate';
  /** The query: what a positional `a.$` projection refers to. */
  filter?: unknown;
}

/** Null-prototype nodes, so a projected path named `__proto__` or `constructor` is just a key. */
interface Tree {
  [key: string]: Tree | true;
}
const newTree = (): Tree => Object.create(null) as Tree;

function addPath(tree: Tree, parts: string[]): void {
  let node = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const next = node[part];
    if (next === true) return; // a parent already covers this path
    if (next === undefined) node[part] = newTree();
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1] as string] = true;
}

function include(value: unknown, tree: Tree): unknown {
  if (Array.isArray(value))
    return value.filter((v) => isPlainObject(v) || Array.isArray(v)).map((v) => include(v, tree));
  if (!isPlainObject(value)) return undefined;
  const out: Doc = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = tree[k];
    if (sub === undefined) continue;
    if (sub === true) setOwn(out, k, v);
    else {
      const projected = include(v, sub);
      if (projected !== undefined) setOwn(out, k, projected);
    }
  }
  return out;
}

function exclude(value: unknown, tree: Tree): unknown {
  if (Array.isArray(value)) return value.map((v) => exclude(v, tree));
  if (!isPlainObject(value)) return value;
  const out: Doc = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = tree[k];
    if (sub === true) continue;
    setOwn(out, k, sub === undefined ? v : exclude(v, sub));
  }
  return out;
}

function isFlag(v: unknown): boolean {
  return typeof v === 'boolean' || isNumeric(v);
}

const truthy = (v: unknown): boolean => v === true || (v !== false && toDouble(v) !== 0);

/** {a: {b: 1, c: {d: 0}}} → [['a.b', 1], ['a.c.d', 0]]; operator objects ({$slice: 2}) are leaves. */
function flatten(spec: Doc, prefix: string, out: [string, unknown][]): void {
  for (const [key, v] of Object.entries(spec)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(v) && !isOperatorObject(v)) {
      if (Object.keys(v).length === 0)
        throw badValue(`An empty sub-projection is not a valid value. Found empty object at path ${path}`);
      flatten(v, path, out);
    } else out.push([path, v]);
  }
}

/** A copy of `node` with `fn` applied to the array(s) at `parts` (through arrays of documents). */
function mapArrayAt(
  node: unknown,
  parts: readonly string[],
  i: number,
  fn: (a: unknown[]) => unknown[],
): unknown {
  if (i === parts.length) return Array.isArray(node) ? fn(node) : node;
  if (Array.isArray(node)) return node.map((el) => (isPlainObject(el) ? mapArrayAt(el, parts, i, fn) : el));
  const part = parts[i] as string;
  if (!isPlainObject(node) || !hasOwn(node, part)) return node;
  const copy = assignOwn({}, node);
  setOwn(copy, part, mapArrayAt(node[part], parts, i + 1, fn));
  return copy;
}

function sliceOf(spec: unknown, path: string): (a: unknown[]) => unknown[] {
  const int = (v: unknown): number => {
    if (!isNumeric(v) || !Number.isInteger(toDouble(v)))
      throw badValue(`$slice only supports numbers and [skip, limit] arrays (${path})`);
    return toDouble(v);
  };
  if (Array.isArray(spec)) {
    if (spec.length !== 2) throw badValue(`$slice array argument must be of length 2 (${path})`);
    const skip = int(spec[0]);
    const limit = int(spec[1]);
    if (limit <= 0) throw badValue(`$slice limit must be positive (${path})`);
    return (a) => {
      const start = skip < 0 ? Math.max(0, a.length + skip) : skip;
      return a.slice(start, start + limit);
    };
  }
  const n = int(spec);
  return (a) => (n >= 0 ? a.slice(0, n) : a.slice(Math.max(0, a.length + n)));
}

type ArrayOp = (doc: Doc, out: Doc) => Doc;

export function compileProjection(spec: unknown, options: ProjectionOptions = {}): Projector | undefined {
  const mode = options.mode ?? 'find';
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) throw badValue('projection must be an object');
  const entries: [string, unknown][] = [];
  flatten(spec, '', entries);
  if (entries.length === 0) return undefined;
  const includeTree = newTree();
  const excludeTree = newTree();
  const computed: [string[], unknown][] = [];
  const arrayOps: ArrayOp[] = [];
  let idWanted = true;
  let inclusion = false;
  let exclusion = false;
  let elemMatch = false;
  for (const [path, v] of entries) {
    const positional = path.endsWith('.$');
    const parts = splitPath(positional ? path.slice(0, -2) : path);
    if (parts.some((p) => p === '' || p.startsWith('$')))
      throw badValue(`Invalid projection path '${path}': field names may not be empty or start with '$'`);
    if (path === '_id' && isFlag(v)) {
      idWanted = truthy(v);
      continue;
    }
    if (positional) {
      if (mode === 'aggregate')
        throw badValue(`positional projection '${path}' is not allowed in aggregation`);
      if (!isFlag(v) || !truthy(v)) throw badValue(`positional projection '${path}' must be an inclusion`);
      inclusion = true;
      addPath(includeTree, parts);
      arrayOps.push(positionalOp(path, parts, options.filter));
      continue;
    }
    if (isFlag(v)) {
      if (truthy(v)) {
        inclusion = true;
        addPath(includeTree, parts);
      } else {
        exclusion = true;
        addPath(excludeTree, parts);
      }
      continue;
    }
    if (mode === 'find' && isPlainObject(v) && hasOwn(v, '$elemMatch')) {
      if (parts.length !== 1) throw badValue(`Cannot use $elemMatch projection on a nested field: ${path}`);
      if (!isPlainObject(v.$elemMatch)) throw badValue('elemMatch: Invalid argument, object required.');
      elemMatch = true;
      arrayOps.push(elemMatchOp(parts[0] as string, compileElementPredicate(v.$elemMatch)));
      continue;
    }
    if (mode === 'find' && isPlainObject(v) && hasOwn(v, '$slice')) {
      addPath(includeTree, parts);
      const slice = sliceOf(v.$slice, path);
      arrayOps.push((_doc, out) => mapArrayAt(out, parts, 0, slice) as Doc);
      continue;
    }
    if (isPlainObject(v) && hasOwn(v, '$meta')) throw notSupported(`$meta projection (${path})`);
    checkExpression(v);
    inclusion = true;
    computed.push([parts, v]);
  }
  if (inclusion && exclusion) throw badValue('Cannot do exclusion on field in inclusion projection');
  // $elemMatch alone projects like an inclusion: _id and the matched element only.
  if (elemMatch && !exclusion) inclusion = true;
  if (!idWanted && !inclusion) addPath(excludeTree, ['_id']);
  if (idWanted && inclusion) addPath(includeTree, ['_id']);
  return (doc) => {
    let out: Doc;
    if (inclusion) {
      out = include(doc, includeTree) as Doc;
      for (const [parts, expr] of computed) {
        const v = evaluate(expr, doc);
        if (v !== undefined) setAt(out, parts, v);
      }
    } else out = exclude(doc, excludeTree) as Doc;
    for (const op of arrayOps) out = op(doc, out);
    return out;
  };
}

/** {arr: {$elemMatch: cond}}: the first matching element, placed after the other projected fields. */
function elemMatchOp(field: string, pred: (el: unknown) => boolean): ArrayOp {
  return (doc, out) => {
    const v = getOwn(doc, field);
    const hit = Array.isArray(v) ? v.find(pred) : undefined;
    const result: Doc = {};
    for (const [k, x] of Object.entries(out)) if (k !== field) setOwn(result, k, x);
    if (hit !== undefined) setOwn(result, field, [hit]);
    return result;
  };
}

/** {'arr.$': 1}: the element of `arr` that the query matched (MongoDB: the first one). */
function positionalOp(path: string, parts: string[], filter: unknown): ArrayOp {
  const matcher = compileFilter(filter);
  return (doc, out) => {
    const ctx: MatchContext = {};
    matcher(doc, ctx);
    const arr = getAt(doc, parts);
    if (!Array.isArray(arr)) return out;
    if (ctx.pos === undefined || ctx.pos >= arr.length) {
      throw badValue(
        `Executor error during find command :: caused by :: positional operator '${path}' couldn't find a matching element in the array`,
      );
    }
    const copy = assignOwn({}, out);
    setAt(copy, parts, [arr[ctx.pos]]);
    return copy;
  };
}
