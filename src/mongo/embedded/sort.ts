import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { compareValues } from './compare.js';
import { badValue, notSupported } from './errors.js';
import { toDouble } from './numeric.js';
import { lookupPath, splitPath } from './path.js';

/**
 * Sort specifications ({a: 1, 'b.c': -1}). An array field sorts by its smallest element ascending and its
 * largest descending; a missing field sorts as null; an empty array sorts below null.
 */
export interface SortKey {
  parts: string[];
  dir: 1 | -1;
}

export function parseSort(spec: unknown): SortKey[] {
  if (spec === undefined || spec === null) return [];
  if (!isPlainObject(spec)) throw badValue('sort must be an object');
  return Object.entries(spec).map(([path, d]) => {
    if (isPlainObject(d)) throw notSupported('$meta sort');
    // {$natural: ±1} is resolved by the query (query.ts) before it gets here; nothing else may start with $.
    if (path.split('.').some((p) => p === '' || p.startsWith('$')))
      throw badValue(`Invalid sort key '${path}': field names may not be empty or start with '$'`);
    if (!isNumeric(d)) throw badValue(`Illegal key in $sort specification: ${path}`);
    const n = toDouble(d);
    if (n !== 1 && n !== -1)
      throw badValue('$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    return { parts: splitPath(path), dir: n as 1 | -1 };
  });
}

export function sortValue(doc: Doc, key: SortKey): unknown {
  const lookup = lookupPath(doc, key.parts);
  let best: unknown;
  let found = false;
  const consider = (v: unknown): void => {
    if (!found || (key.dir === 1 ? compareValues(v, best) < 0 : compareValues(v, best) > 0)) {
      best = v;
      found = true;
    }
  };
  for (const pv of lookup.values) {
    if (Array.isArray(pv.value)) {
      if (pv.value.length === 0 && lookup.values.length === 1 && !lookup.missing) return undefined;
      pv.value.forEach(consider);
    } else consider(pv.value);
  }
  if (lookup.missing || !found) consider(null);
  return best;
}

export function compareByKeys(keys: SortKey[]): (a: Doc, b: Doc) => number {
  return (a, b) => {
    for (const k of keys) {
      const c = compareValues(sortValue(a, k), sortValue(b, k));
      if (c !== 0) return c * k.dir;
    }
    return 0;
  };
}

/** Decorate-sort-undecorate: each document's keys are computed once. Stable, so ties keep input order. */
export function sortItems<T>(items: T[], keys: SortKey[], docOf: (item: T) => Doc): T[] {
  if (keys.length === 0) return items;
  const decorated = items.map((item, i) => ({ item, i, vals: keys.map((k) => sortValue(docOf(item), k)) }));
  decorated.sort((x, y) => {
    for (let j = 0; j < keys.length; j++) {
      const c = compareValues(x.vals[j], y.vals[j]);
      if (c !== 0) return c * (keys[j] as SortKey).dir;
    }
    return x.i - y.i;
  });
  return decorated.map((d) => d.item);
}
