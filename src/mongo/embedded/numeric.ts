import type { Decimal128 } from 'bson';
import { Double, Int32, Long } from 'bson';
import { bsontype } from './bson-types.js';
import {
  addExact,
  compareExact,
  decodeDecimal128,
  divideExact,
  encodeDecimal128,
  exactFromDouble,
  exactFromDoubleFor128,
  exactToNumber,
  finite,
  multiplyExact,
  normalizeExact,
  type Exact,
} from './decimal.js';

/**
 * MongoDB's numeric types and their promotion rules: int32 op int32 → int32 (overflow → long),
 * with long → long (overflow → double), with double → double, with decimal → decimal (exact).
 */
export type NumKind = 'int' | 'long' | 'double' | 'decimal';
export type BsonNumber = Int32 | Long | Double | Decimal128;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export function numKind(v: unknown): NumKind | undefined {
  if (typeof v === 'number') return 'double';
  if (typeof v === 'bigint') return 'long';
  switch (bsontype(v)) {
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    default:
      return undefined;
  }
}

/** A JS number for int/double, or for a long within ±2^53; undefined when only exact math is safe. */
function fastNumber(v: unknown, kind: NumKind): number | undefined {
  switch (kind) {
    case 'int':
    case 'double':
      return typeof v === 'number' ? v : (v as Int32 | Double).value;
    case 'long': {
      if (typeof v === 'bigint') return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : undefined;
      const l = v as Long;
      // high word within ±2^21 means |value| < 2^53: exactly representable as a double.
      return l.high >= -0x200000 && l.high < 0x200000 ? l.toNumber() : undefined;
    }
    default:
      return undefined;
  }
}

function bigOf(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  return BigInt((v as Long).toString());
}

export function toExact(v: unknown): Exact {
  const kind = numKind(v);
  switch (kind) {
    case 'int':
      return finite(BigInt((v as Int32).value), 0);
    case 'double':
      return exactFromDouble(typeof v === 'number' ? v : (v as Double).value);
    case 'long':
      return finite(bigOf(v), 0);
    case 'decimal':
      return decodeDecimal128(v as Decimal128);
    default:
      throw new Error('not a number');
  }
}

/** The value as a JS double (lossy for big longs and decimals; only for approximate uses). */
export function toDouble(v: unknown): number {
  const kind = numKind(v);
  if (kind === undefined) return NaN;
  const fast = fastNumber(v, kind);
  if (fast !== undefined) return fast;
  return exactToNumber(toExact(v));
}

export function compareNumbers(a: unknown, b: unknown): number {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka === undefined || kb === undefined) throw new Error('compareNumbers on non-numbers');
  const fa = fastNumber(a, ka);
  const fb = fastNumber(b, kb);
  if (fa !== undefined && fb !== undefined) {
    if (fa < fb) return -1;
    if (fa > fb) return 1;
    if (fa === fb) return 0;
    // At least one NaN: NaN equals NaN and sorts below every number.
    const na = Number.isNaN(fa);
    const nb = Number.isNaN(fb);
    return na && nb ? 0 : na ? -1 : 1;
  }
  return compareExact(toExact(a), toExact(b));
}

/** Stable hash-key text for a number: equal values of any numeric type give the same key. */
export function numberKey(v: unknown): string {
  const kind = numKind(v);
  if (kind !== undefined && kind !== 'decimal') {
    const fast = fastNumber(v, kind);
    if (fast !== undefined && Number.isSafeInteger(fast)) {
      if (fast === 0) return '0';
      let s = String(fast);
      let zeros = 0;
      while (s.endsWith('0')) {
        s = s.slice(0, -1);
        zeros++;
      }
      return `${s}e${zeros}`;
    }
  }
  const x = normalizeExact(toExact(v));
  if (x.kind === 'nan') return 'nan';
  if (x.kind === 'inf') return x.negative ? '-inf' : 'inf';
  return x.coef === 0n ? '0' : `${x.coef}e${x.exp}`;
}

function widestKind(a: NumKind, b: NumKind): NumKind {
  const order: NumKind[] = ['int', 'long', 'double', 'decimal'];
  return order[Math.max(order.indexOf(a), order.indexOf(b))] ?? 'decimal';
}

function exactFor128(v: unknown): Exact {
  // Mixing a double into decimal arithmetic rounds it to 15 digits first, as MongoDB does.
  return numKind(v) === 'double' ? exactFromDoubleFor128(toDouble(v)) : toExact(v);
}

function fromBig(n: bigint, kind: 'int' | 'long'): BsonNumber {
  if (kind === 'int' && n >= BigInt(INT32_MIN) && n <= BigInt(INT32_MAX)) return new Int32(Number(n));
  if (n >= INT64_MIN && n <= INT64_MAX) return Long.fromBigInt(n);
  return new Double(Number(n));
}

/** a + b with MongoDB's type promotion. */
export function addNumbers(a: unknown, b: unknown): BsonNumber {
  const kind = widestKind(numKind(a) ?? 'double', numKind(b) ?? 'double');
  if (kind === 'decimal') return encodeDecimal128(addExact(exactFor128(a), exactFor128(b)));
  if (kind === 'double') return new Double(toDouble(a) + toDouble(b));
  if (kind === 'int') {
    const sum = toDouble(a) + toDouble(b);
    return sum >= INT32_MIN && sum <= INT32_MAX ? new Int32(sum) : Long.fromNumber(sum);
  }
  return fromBig(bigOf(toLongLike(a)) + bigOf(toLongLike(b)), 'long');
}

export function multiplyNumbers(a: unknown, b: unknown): BsonNumber {
  const kind = widestKind(numKind(a) ?? 'double', numKind(b) ?? 'double');
  if (kind === 'decimal') return encodeDecimal128(multiplyExact(exactFor128(a), exactFor128(b)));
  if (kind === 'double') return new Double(toDouble(a) * toDouble(b));
  return fromBig(bigOf(toLongLike(a)) * bigOf(toLongLike(b)), kind);
}

export function subtractNumbers(a: unknown, b: unknown): BsonNumber {
  return addNumbers(a, multiplyNumbers(b, new Int32(-1)));
}

/** Division always yields a double unless a decimal is involved (MongoDB's $divide). */
export function divideNumbers(a: unknown, b: unknown): BsonNumber {
  const kind = widestKind(numKind(a) ?? 'double', numKind(b) ?? 'double');
  if (kind === 'decimal') return encodeDecimal128(divideExact(exactFor128(a), exactFor128(b)));
  return new Double(toDouble(a) / toDouble(b));
}

function toLongLike(v: unknown): bigint {
  const kind = numKind(v);
  if (kind === 'int') return BigInt((v as Int32).value);
  if (kind === 'long') return bigOf(v);
  return BigInt(Math.trunc(toDouble(v)));
}

export function isZero(v: unknown): boolean {
  return compareNumbers(v, new Int32(0)) === 0;
}

export { INT32_MAX, INT32_MIN };
