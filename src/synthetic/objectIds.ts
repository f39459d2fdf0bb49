import { ObjectId } from 'bson';
import { hash32, hashString } from './prng.js';

/**
 * Deterministic ObjectIds laid out like a mongod's: 4-byte creation second, 5-byte "process" value, 3-byte
 * counter. Each collection gets its own process value and the counter is the document's index, so ids
 * are unique without bookkeeping, increase with the index (the `_id` order is the generation order), and
 * carry the document's creation time as real ids do.
 *
 * Orphans (ids of parents that were hard-deleted) get a process value with the top bit set, which no
 * generated document has: an orphan can never collide with a real parent by accident.
 */
const MAX_COUNTER = 0xffffff;

function build(ms: number, tag: number, process: number, counter: number): ObjectId {
  if (counter > MAX_COUNTER) throw new Error(`synthetic ObjectId counter ${counter} exceeds 24 bits`);
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.floor(ms / 1000), 0);
  bytes.writeUInt8(tag, 4);
  bytes.writeUInt32BE(process, 5);
  bytes.writeUIntBE(counter, 9, 3);
  return new ObjectId(bytes);
}

/** The id of document `index` of `collection`, created at `ms`. */
export function documentId(seed: number, collection: string, index: number, ms: number): ObjectId {
  const name = hashString(collection);
  return build(ms, name & 0x7f, hash32(seed, name), index);
}

/** An id that looks like one of `parent`'s but was never generated, referenced from (referrer, index). */
export function orphanId(seed: number, referrer: string, index: number, ms: number): ObjectId {
  const name = hashString(referrer);
  return build(ms, 0x80 | (name & 0x7f), hash32(seed, name, 0xdead), index);
}

/** `legacy_object_id` text (docs/data-policy.md): lower-case hex for ObjectIds, the string for string ids. */
export function legacyIdText(id: unknown): string {
  if (id instanceof ObjectId) return id.toHexString();
  if (typeof id === 'string') return id;
  throw new Error(`unexpected synthetic _id ${String(id)}`);
}
