import type { Doc } from './bson-types.js';
import { badValue } from './errors.js';
import { decode } from './raw-bson.js';

/**
 * The MongoDB wire protocol, the subset a modern driver uses: a legacy OP_QUERY for the first handshake
 * (answered with OP_REPLY) and OP_MSG for everything else, including kind-1 document sequences, which
 * is how the driver ships insert/update/delete batches.
 */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const MSG_CHECKSUM_PRESENT = 1;
export const MSG_MORE_TO_COME = 2;
export const MAX_MESSAGE_SIZE = 48_000_000;

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export function readHeader(msg: Buffer): MessageHeader {
  return {
    length: msg.readInt32LE(0),
    requestId: msg.readInt32LE(4),
    responseTo: msg.readInt32LE(8),
    opCode: msg.readInt32LE(12),
  };
}

/**
 * Splits a TCP byte stream into whole messages by their int32 length prefix. Chunks are only joined
 * once a message is complete, so a large insert batch arriving in many reads is copied once.
 */
export class MessageFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.chunks[0] as Buffer;
      const length = head.length >= 4 ? head.readInt32LE(0) : this.joined().readInt32LE(0);
      if (length < 16 || length > MAX_MESSAGE_SIZE) throw badValue(`invalid message length ${length}`);
      if (this.buffered < length) break;
      const all = this.joined();
      out.push(all.subarray(0, length));
      const rest = all.subarray(length);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] as Buffer;
  }
}

export interface OpMsg {
  flags: number;
  body: Doc;
  /** Kind-1 sections: identifier (e.g. 'documents') → raw BSON documents. */
  sequences: Map<string, Buffer[]>;
}

function cstring(buf: Buffer, pos: number): [string, number] {
  const end = buf.indexOf(0, pos);
  if (end < 0) throw badValue('unterminated cstring in message');
  return [buf.toString('utf8', pos, end), end + 1];
}

export function parseOpMsg(msg: Buffer): OpMsg {
  const flags = msg.readUInt32LE(16);
  const end = msg.length - (flags & MSG_CHECKSUM_PRESENT ? 4 : 0);
  let pos = 20;
  let body: Doc | undefined;
  const sequences = new Map<string, Buffer[]>();
  while (pos < end) {
    const kind = msg[pos++];
    if (kind === 0) {
      const len = msg.readInt32LE(pos);
      body = decode(msg.subarray(pos, pos + len));
      pos += len;
    } else if (kind === 1) {
      const size = msg.readInt32LE(pos);
      const sectionEnd = pos + size;
      const [identifier, first] = cstring(msg, pos + 4);
      const docs: Buffer[] = [];
      for (let p = first; p < sectionEnd;) {
        const len = msg.readInt32LE(p);
        docs.push(msg.subarray(p, p + len));
        p += len;
      }
      sequences.set(identifier, [...(sequences.get(identifier) ?? []), ...docs]);
      pos = sectionEnd;
    } else throw badValue(`unknown OP_MSG section kind ${kind}`);
  }
  if (!body) throw badValue('OP_MSG without a body section');
  return { flags, body, sequences };
}

export interface OpQuery {
  collection: string;
  query: Doc;
}

export function parseOpQuery(msg: Buffer): OpQuery {
  const [collection, after] = cstring(msg, 20);
  const pos = after + 8; // numberToSkip, numberToReturn
  const len = msg.readInt32LE(pos);
  let query = decode(msg.subarray(pos, pos + len));
  // Legacy wrapping: {$query: {...}, $readPreference: ...}
  if (query.$query && typeof query.$query === 'object') query = query.$query as Doc;
  return { collection, query };
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export function encodeOpMsg(responseTo: number, body: Uint8Array): Buffer[] {
  const prefix = Buffer.allocUnsafe(5);
  prefix.writeUInt32LE(0, 0);
  prefix[4] = 0;
  return [
    header(16 + 5 + body.length, responseTo, OP_MSG),
    prefix,
    Buffer.from(body.buffer, body.byteOffset, body.byteLength),
  ];
}

export function encodeOpReply(responseTo: number, doc: Uint8Array): Buffer[] {
  const fields = Buffer.alloc(20); // responseFlags, cursorID (8), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return [
    header(16 + 20 + doc.length, responseTo, OP_REPLY),
    fields,
    Buffer.from(doc.buffer, doc.byteOffset, doc.byteLength),
  ];
}
