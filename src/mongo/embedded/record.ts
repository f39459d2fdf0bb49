import { ObjectId } from 'bson';
import { typeRank } from './bson-types.js';
import { compareStrings, compareValues, valueKey } from './compare.js';
import { readId, type IdElement } from './raw-bson.js';

/**
 * One stored document: its BSON bytes plus what the _id index needs. ObjectId ids (nearly all) keep
 * only their hex key, which orders exactly like the ObjectId bytes; other ids keep the decoded value.
 */
export interface DocRecord {
  /** valueKey(_id): equality key shared by every representation of an equal _id. */
  readonly key: string;
  readonly rank: number;
  /** Decoded _id for non-ObjectId ids. */
  readonly id: unknown;
  /** Replaced (never mutated) on update, so cursors holding the old buffer keep a consistent snapshot. */
  bytes: Buffer;
  deleted: boolean;
}

const OID_RANK = typeRank(new ObjectId());

export function makeRecord(bytes: Buffer, el: IdElement): DocRecord {
  if (el.type === 0x07) {
    const hex = bytes.toString('hex', el.valueStart, el.valueStart + 12);
    return { key: `o${hex}`, rank: OID_RANK, id: undefined, bytes, deleted: false };
  }
  const id = readId(bytes, el);
  return { key: valueKey(id), rank: typeRank(id), id, bytes, deleted: false };
}

export function recordId(rec: DocRecord): unknown {
  return rec.rank === OID_RANK ? ObjectId.createFromHexString(rec.key.slice(1)) : rec.id;
}

export function compareRecords(a: DocRecord, b: DocRecord): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  if (a.rank === OID_RANK) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  if (typeof a.id === 'string' && typeof b.id === 'string') return compareStrings(a.id, b.id);
  return compareValues(a.id, b.id);
}

/** Record vs a query value, in MongoDB's order. */
export function compareRecordToValue(rec: DocRecord, v: unknown): number {
  const rank = typeRank(v);
  if (rec.rank !== rank) return rec.rank < rank ? -1 : 1;
  if (rank === OID_RANK) {
    const hex = (v as ObjectId).toHexString();
    const mine = rec.key.slice(1);
    return mine < hex ? -1 : mine > hex ? 1 : 0;
  }
  return compareValues(rec.id, v);
}
