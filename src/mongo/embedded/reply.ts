import type { Long } from 'bson';

/**
 * Cursor replies assembled by hand so stored documents go out as the exact bytes they came in as:
 * { cursor: { <batchName>: [docs...], id: <int64>, ns: <string> }, ok: 1.0 }.
 */
function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

/** "\x03<i>\0" element prefixes, reused across replies. */
const prefixes: Buffer[] = [];
function elementPrefix(i: number): Buffer {
  let p = prefixes[i];
  if (!p) {
    p = Buffer.from(`\x03${i}\0`, 'latin1');
    if (i < 200_000) prefixes[i] = p;
  }
  return p;
}

export function cursorReply(
  batchName: 'firstBatch' | 'nextBatch',
  id: Long,
  ns: string,
  docs: readonly Buffer[],
): Buffer {
  // Array document: int32 length, elements {0x03, "<i>\0", doc}, terminating 0.
  const parts: Buffer[] = [];
  let arrayLen = 4 + 1;
  for (let i = 0; i < docs.length; i++) {
    const prefix = elementPrefix(i);
    const doc = docs[i] as Buffer;
    parts.push(prefix, doc);
    arrayLen += prefix.length + doc.length;
  }
  const arrayHead = Buffer.allocUnsafe(4);
  arrayHead.writeInt32LE(arrayLen, 0);

  const batchKey = cstr(batchName);
  const idEl = Buffer.allocUnsafe(1 + 3 + 8);
  idEl[0] = 0x12;
  idEl.write('id\0', 1, 'latin1');
  idEl.writeInt32LE(id.low, 4);
  idEl.writeInt32LE(id.high, 8);
  const nsBytes = Buffer.from(ns, 'utf8');
  const nsEl = Buffer.allocUnsafe(1 + 3 + 4 + nsBytes.length + 1);
  nsEl[0] = 0x02;
  nsEl.write('ns\0', 1, 'latin1');
  nsEl.writeInt32LE(nsBytes.length + 1, 4);
  nsBytes.copy(nsEl, 8);
  nsEl[nsEl.length - 1] = 0;

  const cursorLen = 4 + 1 + batchKey.length + arrayLen + idEl.length + nsEl.length + 1;
  const cursorKey = cstr('cursor');
  const okEl = Buffer.allocUnsafe(1 + 3 + 8);
  okEl[0] = 0x01;
  okEl.write('ok\0', 1, 'latin1');
  okEl.writeDoubleLE(1, 4);
  const totalLen = 4 + 1 + cursorKey.length + cursorLen + okEl.length + 1;

  const head = Buffer.allocUnsafe(4 + 1 + cursorKey.length + 4 + 1 + batchKey.length);
  let p = head.writeInt32LE(totalLen, 0);
  head[p++] = 0x03;
  p += cursorKey.copy(head, p);
  p = head.writeInt32LE(cursorLen, p);
  head[p++] = 0x04;
  batchKey.copy(head, p);

  return Buffer.concat(
    [head, arrayHead, ...parts, Buffer.from([0]), idEl, nsEl, Buffer.from([0]), okEl, Buffer.from([0])],
    totalLen,
  );
}
