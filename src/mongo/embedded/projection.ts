import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { badValue } from './errors.js';
import { evaluate } from './expression.js';
import { compileFilter } from './matcher.js';
import { toDouble } from './numeric.js';
import { splitPath } from './path.js';
import { setAt } from './update-path.js';

/**
 * find() projections: inclusion ({a: 1, 'b.c': 1}), exclusion ({a: 0}), computed fields ({x: '$a'}),
 * and the $slice / $elemMatch array operators. _id is included unless excluded explicitly.
 */
export type Projector = (doc: Doc) => Doc;

interface Tree {
  [key: string]: Tree | true;
}

function addPath(tree: Tree, parts: string[]): void {
  let node = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const next = node[part];
    if (next === true) return; // a parent already covers this path
    if (next === undefined) node[part] = {};
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
    if (sub === true) out[k] = v;
    else {
      const projected = include(v, sub);
      if (projected !== undefined) out[k] = projected;
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
    out[k] = sub === undefined ? v : exclude(v, sub);
  }
  return out;
}

function isFlag(v: unknown): boolean {
  return typeof v === 'boolean' || isNumeric(v);
}

type ArrayOp = (doc: Doc, out: Doc) => void;

function arrayOperator(path: string, spec: Doc): ArrayOp | undefined {
  const parts = splitPath(path);
  const field = parts[parts.length - 1] as string;
  if ('$slice' in spec) {
    const s = spec.$slice;
    const [skip, limit] = Array.isArray(s)
      ? [Math.trunc(toDouble(s[0])), Math.trunc(toDouble(s[1]))]
      : [undefined, Math.trunc(toDouble(s))];
    return (doc, out) => {
      const v = doc[field];
      if (parts.length !== 1 || !Array.isArray(v)) return;
      if (skip === undefined)
        out[field] = limit >= 0 ? v.slice(0, limit) : v.slice(Math.max(0, v.length + limit));
      else {
        const start = skip < 0 ? Math.max(0, v.length + skip) : skip;
        out[field] = v.slice(start, start + limit);
      }
    };
  }
  if ('$elemMatch' in spec) {
    const m = compileFilter(spec.$elemMatch);
    return (doc, out) => {
      const v = doc[field];
      const hit = Array.isArray(v) ? v.find((el) => isPlainObject(el) && m(el)) : undefined;
      if (hit !== undefined) out[field] = [hit];
      else delete out[field];
    };
  }
  return undefined;
}

export function compileProjection(spec: unknown): Projector | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) throw badValue('projection must be an object');
  const entries = Object.entries(spec);
  if (entries.length === 0) return undefined;
  const includeTree: Tree = {};
  const excludeTree: Tree = {};
  const computed: [string[], unknown][] = [];
  const arrayOps: ArrayOp[] = [];
  let idWanted = true;
  let inclusion = false;
  let exclusion = false;
  for (const [path, v] of entries) {
    if (path === '_id' && isFlag(v)) {
      idWanted = toDouble(v === true ? 1 : v === false ? 0 : v) !== 0;
      continue;
    }
    if (isFlag(v)) {
      const on = v === true || (v !== false && toDouble(v) !== 0);
      if (on) {
        inclusion = true;
        addPath(includeTree, splitPath(path));
      } else {
        exclusion = true;
        addPath(excludeTree, splitPath(path));
      }
      continue;
    }
    const op = isPlainObject(v) ? arrayOperator(path, v) : undefined;
    if (op) arrayOps.push(op);
    else {
      inclusion = true;
      computed.push([splitPath(path), v]);
    }
  }
  if (inclusion && exclusion) throw badValue('Cannot do exclusion on field in inclusion projection');
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
    for (const op of arrayOps) op(doc, out);
    return out;
  };
}
