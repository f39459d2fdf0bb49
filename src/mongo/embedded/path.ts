import { dbrefFields, isPlainObject, type Doc } from './bson-types.js';
import { getOwn, hasOwn, setOwn } from './own.js';

/**
 * Dotted-path access with MongoDB's array semantics. For queries, a path walks through arrays
 * element-wise ('tags.name' on [{name:'a'},{name:'b'}] yields both names) and a numeric component may
 * also index an array ('items.0.sku').
 */
export interface PathValue {
  value: unknown;
  /** Index in the first array the path crossed: what the positional `$` update operator refers to. */
  pos?: number;
}

export interface PathLookup {
  values: PathValue[];
  /** Some branch of the path did not resolve (the field is missing there): matches `null`/`$exists:false`. */
  missing: boolean;
}

const NUMERIC = /^\d+$/;

export function splitPath(path: string): string[] {
  return path.split('.');
}

export function lookupPath(doc: unknown, parts: readonly string[]): PathLookup {
  const out: PathLookup = { values: [], missing: false };
  walk(doc, parts, 0, undefined, out);
  return out;
}

function walk(
  value: unknown,
  parts: readonly string[],
  i: number,
  pos: number | undefined,
  out: PathLookup,
): void {
  const node = i === parts.length ? value : dbrefFields(value);
  if (i === parts.length) {
    out.values.push(pos === undefined ? { value: node } : { value: node, pos });
    return;
  }
  const part = parts[i] as string;
  if (Array.isArray(node)) {
    let indexed = false;
    if (NUMERIC.test(part) && Number(part) < node.length) {
      indexed = true;
      walk(node[Number(part)], parts, i + 1, pos, out);
    }
    // Descend into document elements only; scalars and nested arrays don't have named fields.
    const inner: PathLookup = { values: out.values, missing: false };
    let reached = false;
    node.forEach((el, idx) => {
      if (!isPlainObject(el)) return;
      reached = true;
      walk(el, parts, i, pos ?? idx, inner);
    });
    // 'items.0' that resolved by index is not "missing" just because the elements lack a field '0'.
    if (!indexed && (!reached || inner.missing)) out.missing = true;
    return;
  }
  if (isPlainObject(node)) {
    if (!hasOwn(node, part) || node[part] === undefined) {
      out.missing = true;
      return;
    }
    walk(node[part], parts, i + 1, pos, out);
    return;
  }
  out.missing = true;
}

/** The single value at a path without array traversal (aggregation `$a.b` uses its own rules). */
export function getField(doc: unknown, parts: readonly string[]): unknown {
  let node: unknown = doc;
  for (const part of parts) {
    node = dbrefFields(node);
    if (isPlainObject(node)) node = getOwn(node, part);
    else return undefined;
  }
  return node;
}

/**
 * Aggregation field-path semantics: walking through an array maps the rest of the path over its
 * document elements (`$items.sku` → array of skus), missing values dropped.
 */
export function getExpressionPath(doc: unknown, parts: readonly string[], i = 0): unknown {
  if (i === parts.length) return doc;
  if (Array.isArray(doc)) {
    const out: unknown[] = [];
    for (const el of doc) {
      if (!isPlainObject(el) && !Array.isArray(el)) continue;
      const v = getExpressionPath(el, parts, i);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  const fields = dbrefFields(doc);
  if (!isPlainObject(fields)) return undefined;
  return getExpressionPath(getOwn(fields, parts[i] as string), parts, i + 1);
}

export function deepClone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepClone) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, deepClone(x));
    return out as T;
  }
  return v; // BSON wrappers and Dates are treated as immutable
}
