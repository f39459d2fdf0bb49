import { UUID } from 'bson';
import type { Doc } from './bson-types.js';
import { valueKey } from './compare.js';
import { badValue, CommandError } from './errors.js';
import { IdIndex } from './id-index.js';
import { decode, encode, normalizeForStorage } from './raw-bson.js';
import { makeRecord, recordId, type DocRecord } from './record.js';
import { duplicateKeyError, SecondaryIndex, validateIndexKey, type IndexSpec } from './secondary-index.js';

/**
 * One collection: documents as BSON bytes in the _id index, plus secondary index specs (unique ones
 * enforced). Every write goes through here so uniqueness is checked before anything changes.
 */
const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

const BAD_ID_TYPES: Record<number, string> = { 0x04: 'an array', 0x0b: 'a regex', 0x06: 'a undefined' };

export class Collection {
  readonly uuid = new UUID();
  readonly ns: string;
  readonly ids = new IdIndex();
  readonly indexes: SecondaryIndex[] = [];
  readonly options: Doc;

  constructor(
    readonly db: string,
    readonly name: string,
    options: Doc = {},
  ) {
    this.ns = `${db}.${name}`;
    this.options = options;
  }

  get count(): number {
    return this.ids.size;
  }

  private get uniques(): SecondaryIndex[] {
    return this.indexes.filter((i) => i.unique);
  }

  /** Insert a document exactly as a client sent it (bytes are kept, not re-encoded). */
  insertBytes(raw: Buffer): DocRecord {
    const { bytes, el } = normalizeForStorage(raw);
    const bad = BAD_ID_TYPES[el.type];
    if (bad) throw badValue(`can't use ${bad} for _id`);
    const rec = makeRecord(bytes, el);
    if (this.ids.get(rec.key)) {
      throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: recordId(rec) });
    }
    const uniques = this.uniques;
    if (uniques.length > 0) {
      const doc = decode(bytes);
      const keys = uniques.map((ix) => ix.keysFor(doc));
      uniques.forEach((ix, i) => ix.check(keys[i] ?? [], undefined, this.ns));
      uniques.forEach((ix, i) => ix.add(keys[i] ?? [], rec));
    }
    this.ids.insert(rec);
    return rec;
  }

  insertDoc(doc: Doc): DocRecord {
    return this.insertBytes(encode(doc));
  }

  /** Replace a record's document; returns false when the bytes are unchanged (nModified stays 0). */
  replace(rec: DocRecord, oldDoc: Doc, newDoc: Doc): boolean {
    const bytes = encode(newDoc);
    if (bytes.equals(rec.bytes)) return false;
    const uniques = this.uniques;
    if (uniques.length > 0) {
      const oldKeys = uniques.map((ix) => ix.keysFor(oldDoc));
      const newKeys = uniques.map((ix) => ix.keysFor(newDoc));
      uniques.forEach((ix, i) => ix.check(newKeys[i] ?? [], rec, this.ns));
      uniques.forEach((ix, i) => {
        ix.remove(oldKeys[i] ?? [], rec);
        ix.add(newKeys[i] ?? [], rec);
      });
    }
    rec.bytes = bytes;
    return true;
  }

  delete(rec: DocRecord): void {
    const uniques = this.uniques;
    if (uniques.length > 0) {
      const doc = decode(rec.bytes);
      for (const ix of uniques) ix.remove(ix.keysFor(doc), rec);
    }
    this.ids.remove(rec);
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX_SPEC, ...this.indexes.map((i) => i.spec)];
  }

  /** Returns false when an identical index already exists. */
  createIndex(spec: IndexSpec): boolean {
    validateIndexKey(spec.key);
    const sameOptions = (a: Doc, b: Doc): boolean => optionsKey(a) === optionsKey(b);
    for (const existing of this.indexSpecs()) {
      const sameKey = valueKey(existing.key) === valueKey(spec.key);
      if (existing.name === spec.name) {
        if (sameKey && sameOptions(existing, spec)) return false;
        throw new CommandError(
          sameKey ? 'IndexOptionsConflict' : 'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
        );
      }
      if (sameKey && sameOptions(existing, spec) && existing.name !== spec.name) {
        throw new CommandError(
          'IndexOptionsConflict',
          `Index already exists with a different name: ${existing.name}`,
        );
      }
    }
    const index = new SecondaryIndex(spec);
    if (index.unique) {
      for (const rec of this.ids.records()) {
        const keys = index.keysFor(decode(rec.bytes));
        index.check(keys, rec, this.ns);
        index.add(keys, rec);
      }
    }
    this.indexes.push(index);
    return true;
  }

  dropIndex(name: string): void {
    const at = this.indexes.findIndex((i) => i.name === name);
    if (at < 0) throw new CommandError('IndexNotFound', `index not found with name [${name}]`);
    this.indexes.splice(at, 1);
  }

  dropAllIndexes(): void {
    this.indexes.length = 0;
  }
}

/** What makes two index definitions "the same" beyond the key: uniqueness, sparseness, partial filter. */
function optionsKey(spec: Doc): string {
  return valueKey({
    unique: spec.unique === true,
    sparse: spec.sparse === true,
    partial: spec.partialFilterExpression ?? null,
    ttl: spec.expireAfterSeconds ?? null,
  });
}
