import { deserialize, ObjectId, serialize } from 'bson';
import type { Doc } from './bson-types.js';
import { badValue } from './errors.js';

/**
 * Stored documents are kept as their BSON bytes. These helpers read what the storage layer needs (the
 * `_id`) straight from the bytes, and fix the one thing MongoDB normalizes on insert: `_id` comes first.
 */
export const DESERIALIZE_OPTIONS = { promoteValues: false, bsonRegExp: true } as const;

export function decode(bytes: Uint8Array): Doc {
  return deserialize(bytes, DESERIALIZE_OPTIONS) as Doc;
}

export function encode(doc: Doc): Buffer {
  const bytes = serialize(doc, { checkKeys: false, ignoreUndefined: true });
  if (bytes.length > 16 * 1024 * 1024) {
    throw badValue(
      `BSONObj size: ${bytes.length} (0x${bytes.length.toString(16)}) is invalid. Size must be between 0 and 16793600(16MB)`,
    );
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function cstringEnd(buf: Uint8Array, pos: number): number {
  let p = pos;
  while (buf[p] !== 0) {
    if (p >= buf.length) throw badValue('malformed BSON: unterminated string');
    p++;
  }
  return p;
}

const view = (buf: Uint8Array): DataView => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

/** Byte length of an element's value, given its type byte and where the value starts. */
function valueLength(buf: Uint8Array, dv: DataView, type: number, at: number): number {
  switch (type) {
    case 0x01:
    case 0x09:
    case 0x11:
    case 0x12:
      return 8;
    case 0x02:
    case 0x0d:
    case 0x0e:
      return 4 + dv.getInt32(at, true);
    case 0x03:
    case 0x04:
    case 0x0f:
      return dv.getInt32(at, true);
    case 0x05:
      return 5 + dv.getInt32(at, true);
    case 0x06:
    case 0x0a:
    case 0xff:
    case 0x7f:
      return 0;
    case 0x07:
      return 12;
    case 0x08:
      return 1;
    case 0x0b: {
      const end = cstringEnd(buf, cstringEnd(buf, at) + 1);
      return end + 1 - at;
    }
    case 0x0c:
      return 4 + dv.getInt32(at, true) + 12;
    case 0x10:
      return 4;
    case 0x13:
      return 16;
    default:
      throw badValue(`malformed BSON: unknown element type ${type}`);
  }
}

export interface IdElement {
  type: number;
  /** Offset of the element's type byte. */
  start: number;
  /** Offset of the value. */
  valueStart: number;
  end: number;
}

export function findIdElement(doc: Uint8Array): IdElement | undefined {
  const dv = view(doc);
  let pos = 4;
  while (pos < doc.length - 1 && doc[pos] !== 0) {
    const type = doc[pos] as number;
    const nameEnd = cstringEnd(doc, pos + 1);
    const valueStart = nameEnd + 1;
    const end = valueStart + valueLength(doc, dv, type, valueStart);
    if (nameEnd - pos === 4 && doc[pos + 1] === 0x5f && doc[pos + 2] === 0x69 && doc[pos + 3] === 0x64) {
      return { type, start: pos, valueStart, end };
    }
    pos = end;
  }
  return undefined;
}

/** The _id value of a stored document (fast for ObjectId and string ids, which is nearly all of them). */
export function readId(doc: Uint8Array, el: IdElement | undefined = findIdElement(doc)): unknown {
  if (!el) return undefined;
  if (el.type === 0x07) return new ObjectId(Buffer.from(doc.subarray(el.valueStart, el.valueStart + 12)));
  if (el.type === 0x02)
    return Buffer.from(doc.buffer, doc.byteOffset + el.valueStart + 4, el.end - el.valueStart - 5).toString(
      'utf8',
    );
  // Wrap the single element in a document and let the bson package decode it.
  const len = 4 + (el.end - el.start) + 1;
  const mini = Buffer.alloc(len);
  mini.writeInt32LE(len, 0);
  mini.set(doc.subarray(el.start, el.end), 4);
  return decode(mini)._id;
}

/**
 * Bytes ready to store: `_id` first, generating an ObjectId when missing (as the server does when a
 * client did not). Returns the original buffer untouched in the common case.
 */
export function normalizeForStorage(doc: Buffer): { bytes: Buffer; el: IdElement } {
  const el = findIdElement(doc);
  if (el && el.start === 4) return { bytes: doc, el };
  const idBytes = el
    ? doc.subarray(el.start, el.end)
    : Buffer.concat([Buffer.from([0x07, 0x5f, 0x69, 0x64, 0x00]), Buffer.from(new ObjectId().id)]);
  const rest = el ? Buffer.concat([doc.subarray(4, el.start), doc.subarray(el.end)]) : doc.subarray(4);
  const out = Buffer.allocUnsafe(4 + idBytes.length + rest.length);
  out.writeInt32LE(out.length, 0);
  idBytes.copy(out, 4);
  rest.copy(out, 4 + idBytes.length);
  const moved = findIdElement(out);
  if (!moved) throw badValue('could not place _id');
  return { bytes: out, el: moved };
}
