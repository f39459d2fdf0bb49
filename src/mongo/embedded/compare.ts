import type { Binary, BSONRegExp, Code, ObjectId, Timestamp } from 'bson';
import { BsonType, dbrefFields, NUMBER_RANK, typeNumber, typeRank } from './bson-types.js';
import { compareNumbers, numberKey } from './numeric.js';

/**
 * MongoDB's total order over BSON values (sort order, $gt/$lt, $min/$max, index order), and a hash key
 * consistent with its equality, so Maps can stand in for index lookups.
 */

/** Strings compare by UTF-8 bytes; UTF-16 order differs only around surrogate pairs, so check for those. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // A surrogate (0xD800–0xDFFF) encodes a code point above 0xFFFF, which sorts after 0xE000–0xFFFF.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb && Math.max(ca, cb) >= 0xe000) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length - b.length;
}

function compareEntries(a: [string, unknown][], b: [string, unknown][]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const [ka, va] = a[i] as [string, unknown];
    const [kb, vb] = b[i] as [string, unknown];
    // BSON object comparison: per element, type first, then field name, then value.
    const rank = typeRank(va) - typeRank(vb);
    if (rank !== 0) return rank < 0 ? -1 : 1;
    const name = compareStrings(ka, kb);
    if (name !== 0) return name;
    const value = compareValues(va, vb);
    if (value !== 0) return value;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function objectEntries(v: unknown): [string, unknown][] {
  return Object.entries(dbrefFields(v) as Record<string, unknown>).filter(([, x]) => x !== undefined);
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra === NUMBER_RANK) return compareNumbers(a, b);
  const t = typeNumber(a);
  switch (t) {
    case BsonType.string:
      return compareStrings(a as string, String(typeNumber(b) === BsonType.symbol ? String(b) : b));
    case BsonType.symbol:
      return compareStrings(String(a), String(b));
    case BsonType.object:
      return compareEntries(objectEntries(a), objectEntries(b));
    case BsonType.array:
      return compareEntries(
        (a as unknown[]).map((x, i) => [String(i), x]),
        (b as unknown[]).map((x, i) => [String(i), x]),
      );
    case BsonType.binData: {
      const ba = a as Binary;
      const bb = b as Binary;
      // Length first, then subtype, then bytes: MongoDB's BinData order.
      if (ba.position !== bb.position) return ba.position < bb.position ? -1 : 1;
      if (ba.sub_type !== bb.sub_type) return ba.sub_type < bb.sub_type ? -1 : 1;
      return compareBytes(ba.buffer.subarray(0, ba.position), bb.buffer.subarray(0, bb.position));
    }
    case BsonType.objectId:
      return compareBytes((a as ObjectId).id, (b as ObjectId).id);
    case BsonType.bool:
      return a === b ? 0 : a ? 1 : -1;
    case BsonType.date: {
      const da = (a as Date).getTime();
      const db = (b as Date).getTime();
      return da < db ? -1 : da > db ? 1 : 0;
    }
    case BsonType.timestamp: {
      const ta = a as Timestamp;
      const tb = b as Timestamp;
      if (ta.t !== tb.t) return ta.t < tb.t ? -1 : 1;
      return ta.i === tb.i ? 0 : ta.i < tb.i ? -1 : 1;
    }
    case BsonType.regex: {
      const xa = a as BSONRegExp;
      const xb = b as BSONRegExp;
      return compareStrings(xa.pattern, xb.pattern) || compareStrings(xa.options, xb.options);
    }
    case BsonType.javascript:
    case BsonType.javascriptWithScope:
      return compareStrings(String((a as Code).code), String((b as Code).code));
    default:
      return 0; // MinKey, MaxKey, null, undefined: one value each
  }
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/**
 * A string that is equal for two values exactly when MongoDB considers them equal: 1, 1.0, NumberLong(1)
 * and Decimal128('1.00') share a key; 'a' and ObjectId-like strings do not collide with other types.
 */
export function valueKey(v: unknown): string {
  const t = typeNumber(v);
  switch (t) {
    case BsonType.null:
    case BsonType.undefined:
      return 'z';
    case BsonType.minKey:
      return 'm';
    case BsonType.maxKey:
      return 'M';
    case BsonType.double:
    case BsonType.int:
    case BsonType.long:
    case BsonType.decimal:
      return `n${numberKey(v)}`;
    case BsonType.string:
    case BsonType.symbol:
      return `s${JSON.stringify(String(v))}`;
    case BsonType.objectId:
      return `o${(v as ObjectId).toHexString()}`;
    case BsonType.bool:
      return v ? 'b1' : 'b0';
    case BsonType.date:
      return `d${(v as Date).getTime()}`;
    case BsonType.object:
      return `{${objectEntries(v)
        .map(([k, x]) => `${JSON.stringify(k)}:${valueKey(x)}`)
        .join(',')}}`;
    case BsonType.array:
      return `[${(v as unknown[]).map(valueKey).join(',')}]`;
    case BsonType.binData: {
      const b = v as Binary;
      return `x${b.sub_type}:${Buffer.from(b.buffer.subarray(0, b.position)).toString('base64')}`;
    }
    case BsonType.timestamp:
      return `t${(v as Timestamp).t}:${(v as Timestamp).i}`;
    case BsonType.regex:
      return `r${JSON.stringify([(v as BSONRegExp).pattern, (v as BSONRegExp).options])}`;
    default:
      return `c${JSON.stringify(String((v as Code).code ?? v))}`;
  }
}
