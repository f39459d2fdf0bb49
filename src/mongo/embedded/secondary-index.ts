import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { valueKey } from './compare.js';
import { badValue, CommandError, notSupported } from './errors.js';
import { formatDoc } from './format.js';
import { compileFilter, type Matcher } from './matcher.js';
import { toDouble } from './numeric.js';
import { setOwn } from './own.js';
import { lookupPath, splitPath } from './path.js';
import type { DocRecord } from './record.js';

/**
 * Indexes other than _id. Only unique ones have a structure (a Map from key to record) because they only
 * exist here to enforce uniqueness; non-unique indexes are kept as specs so listIndexes and Mongoose's
 * index sync see what was created. Sparse and partial indexes skip documents exactly as MongoDB does.
 */
export interface IndexSpec extends Doc {
  v: number;
  key: Doc;
  name: string;
}

interface IndexKey {
  key: string;
  values: unknown[];
}

const MAX_KEYS_PER_DOC = 10_000;

export class SecondaryIndex {
  readonly spec: IndexSpec;
  readonly unique: boolean;
  private readonly fields: { name: string; parts: string[] }[];
  private readonly sparse: boolean;
  private readonly partial: Matcher | undefined;
  private readonly entries = new Map<string, DocRecord>();

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    this.fields = Object.keys(spec.key).map((name) => ({ name, parts: splitPath(name) }));
    this.partial =
      spec.partialFilterExpression === undefined ? undefined : compileFilter(spec.partialFilterExpression);
  }

  get name(): string {
    return this.spec.name;
  }

  /** The keys a document contributes (several for array fields), or none when sparse/partial skip it. */
  keysFor(doc: Doc): IndexKey[] {
    if (this.partial && !this.partial(doc)) return [];
    let present = false;
    const perField = this.fields.map(({ parts }) => {
      const lookup = lookupPath(doc, parts);
      if (lookup.values.length > 0) present = true;
      const values: unknown[] = [];
      for (const pv of lookup.values) {
        if (Array.isArray(pv.value) && pv.value.length > 0) values.push(...pv.value);
        else values.push(pv.value);
      }
      if (lookup.missing && values.length === 0) values.push(null);
      return values;
    });
    if (this.sparse && !present) return [];
    let combos: unknown[][] = [[]];
    for (const values of perField) {
      combos = combos.flatMap((c) => values.map((v) => [...c, v]));
      if (combos.length > MAX_KEYS_PER_DOC) throw badValue(`too many index keys for index ${this.name}`);
    }
    const seen = new Map<string, IndexKey>();
    for (const values of combos) {
      const key = values.map(valueKey).join('\u0000');
      if (!seen.has(key)) seen.set(key, { key, values });
    }
    return [...seen.values()];
  }

  /** Throws E11000 when one of `keys` already belongs to another record. */
  check(keys: IndexKey[], rec: DocRecord | undefined, ns: string): void {
    if (!this.unique) return;
    for (const k of keys) {
      const owner = this.entries.get(k.key);
      if (owner !== undefined && owner !== rec && !owner.deleted) throw this.duplicate(ns, k.values);
    }
  }

  add(keys: IndexKey[], rec: DocRecord): void {
    if (!this.unique) return;
    for (const k of keys) this.entries.set(k.key, rec);
  }

  remove(keys: IndexKey[], rec: DocRecord): void {
    if (!this.unique) return;
    for (const k of keys) if (this.entries.get(k.key) === rec) this.entries.delete(k.key);
  }

  clear(): void {
    this.entries.clear();
  }

  duplicate(ns: string, values: unknown[]): CommandError {
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => setOwn(keyValue, f.name, values[i] ?? null));
    return duplicateKeyError(ns, this.name, this.spec.key, keyValue);
  }
}

export function duplicateKeyError(ns: string, index: string, keyPattern: Doc, keyValue: Doc): CommandError {
  return new CommandError(
    'DuplicateKey',
    `E11000 duplicate key error collection: ${ns} index: ${index} dup key: ${formatDoc(keyValue)}`,
    { keyPattern, keyValue },
  );
}

/** MongoDB's default index name: {a: 1, 'b.c': -1} → 'a_1_b.c_-1'. */
export function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${isNumeric(v) ? toDouble(v) : String(v)}`)
    .join('_');
}

/**
 * Ascending and descending keys only. Text, 2d, 2dsphere and hashed indexes change what a query or an
 * insert may do (and wildcard indexes what a hint means), so they are refused rather than recorded.
 */
export function validateIndexKey(key: unknown): asserts key is Doc {
  if (!isPlainObject(key) || Object.keys(key).length === 0)
    throw badValue('Index keys must be a non-empty object');
  for (const [field, dir] of Object.entries(key)) {
    if (typeof dir === 'string') throw notSupported(`index type '${dir}' (key ${field}: '${dir}')`);
    if (!isNumeric(dir) || toDouble(dir) === 0 || Number.isNaN(toDouble(dir)))
      throw new CommandError('BadValue', `Values in the index key pattern can't be 0: ${field}`);
    if (field === '' || field.split('.').some((p) => p === ''))
      throw new CommandError('BadValue', `Index keys cannot be an empty field: ${field}`);
    if (field === '$**' || field.endsWith('.$**')) throw notSupported(`wildcard indexes (key ${field})`);
    if (field.startsWith('$'))
      throw new CommandError('BadValue', `Index key contains an illegal field name: ${field}`);
  }
}
