import { Decimal128 } from 'bson';

/**
 * Exact decimal arithmetic for Decimal128 (and for comparing every numeric BSON type by value).
 * A finite value is `coef × 10^exp` with a BigInt coefficient, which represents int32, int64, doubles
 * (a binary fraction is always a finite decimal) and Decimal128 exactly. Decimal128 results are rounded
 * half-even to 34 significant digits like IEEE 754-2008 decimal128, which is what MongoDB does.
 */
export type Exact =
  | { readonly kind: 'finite'; readonly coef: bigint; readonly exp: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'inf'; readonly negative: boolean };

const MAX_DIGITS = 34;
const EXP_BIAS = 6176;
const EXP_MIN = -6176;
const EXP_MAX = 6111;
const MASK64 = (1n << 64n) - 1n;

export const NAN: Exact = { kind: 'nan' };

export function finite(coef: bigint, exp: number): Exact {
  return { kind: 'finite', coef, exp };
}

const pow10Cache: bigint[] = [];
export function pow10(n: number): bigint {
  if (n < 64) {
    let cached = pow10Cache[n];
    if (cached === undefined) {
      cached = 10n ** BigInt(n);
      pow10Cache[n] = cached;
    }
    return cached;
  }
  return 10n ** BigInt(n);
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const digitCount = (n: bigint): number => (n === 0n ? 1 : abs(n).toString().length);

export function decodeDecimal128(d: Decimal128): Exact {
  const b = d.bytes;
  let low = 0n;
  let high = 0n;
  for (let i = 7; i >= 0; i--) low = (low << 8n) | BigInt(b[i] ?? 0);
  for (let i = 15; i >= 8; i--) high = (high << 8n) | BigInt(b[i] ?? 0);
  const negative = high >> 63n === 1n;
  const combination = Number((high >> 58n) & 0x1fn);
  if (combination === 0x1f) return NAN;
  if (combination === 0x1e) return { kind: 'inf', negative };
  let biased: number;
  let coef: bigint;
  if (((high >> 61n) & 3n) === 3n) {
    // The "large coefficient" form always exceeds 10^34 and is therefore non-canonical: it means zero.
    biased = Number((high >> 47n) & 0x3fffn);
    coef = 0n;
  } else {
    biased = Number((high >> 49n) & 0x3fffn);
    coef = ((high & 0x1ffffffffffffn) << 64n) | low;
  }
  return finite(negative ? -coef : coef, biased - EXP_BIAS);
}

function roundHalfEven(coef: bigint, drop: number): bigint {
  const divisor = pow10(drop);
  const q = coef / divisor; // truncates toward zero
  const r = abs(coef % divisor);
  const twice = r * 2n;
  if (twice > divisor || (twice === divisor && abs(q) % 2n === 1n)) return coef < 0n ? q - 1n : q + 1n;
  return q;
}

/** Round to Decimal128's precision and exponent range (half-even), keeping the exponent where possible. */
export function roundToDecimal128(x: Exact): Exact {
  if (x.kind !== 'finite') return x;
  let { coef, exp } = x;
  const digits = digitCount(coef);
  if (digits > MAX_DIGITS) {
    const drop = digits - MAX_DIGITS;
    coef = roundHalfEven(coef, drop);
    exp += drop;
    if (digitCount(coef) > MAX_DIGITS) {
      coef /= 10n;
      exp += 1;
    }
  }
  if (exp < EXP_MIN) {
    const drop = EXP_MIN - exp;
    coef = drop > MAX_DIGITS + 1 ? 0n : roundHalfEven(coef, drop);
    exp = EXP_MIN;
  }
  if (exp > EXP_MAX) {
    // Clamp by padding the coefficient with zeros if it still fits in 34 digits, else overflow.
    const pad = exp - EXP_MAX;
    if (coef === 0n) exp = EXP_MAX;
    else if (digitCount(coef) + pad <= MAX_DIGITS) {
      coef *= pow10(pad);
      exp = EXP_MAX;
    } else return { kind: 'inf', negative: coef < 0n };
  }
  return finite(coef, exp);
}

export function encodeDecimal128(value: Exact): Decimal128 {
  const x = roundToDecimal128(value);
  const bytes = new Uint8Array(16);
  let high: bigint;
  let low: bigint;
  if (x.kind === 'nan') {
    high = 0x7cn << 56n;
    low = 0n;
  } else if (x.kind === 'inf') {
    high = (x.negative ? 0xf8n : 0x78n) << 56n;
    low = 0n;
  } else {
    const magnitude = abs(x.coef);
    high = (BigInt(x.exp + EXP_BIAS) << 49n) | (magnitude >> 64n);
    if (x.coef < 0n) high |= 1n << 63n;
    low = magnitude & MASK64;
  }
  for (let i = 0; i < 8; i++) {
    bytes[i] = Number((low >> BigInt(8 * i)) & 0xffn);
    bytes[8 + i] = Number((high >> BigInt(8 * i)) & 0xffn);
  }
  return new Decimal128(bytes);
}

const f64 = new DataView(new ArrayBuffer(8));

/** The exact decimal value of a double: mantissa × 2^e, with 2^-k = 5^k × 10^-k. */
export function exactFromDouble(x: number): Exact {
  if (Number.isNaN(x)) return NAN;
  if (!Number.isFinite(x)) return { kind: 'inf', negative: x < 0 };
  if (Number.isSafeInteger(x)) return finite(BigInt(x), 0);
  f64.setFloat64(0, x);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biased === 0) e2 = -1074;
  else {
    mantissa |= 1n << 52n;
    e2 = biased - 1075;
  }
  if (hi >>> 31) mantissa = -mantissa;
  if (e2 >= 0) return finite(mantissa << BigInt(e2), 0);
  return finite(mantissa * 5n ** BigInt(-e2), e2);
}

/** Parse a decimal string such as "-12.50", "1E+3", "NaN", "-Infinity"; keeps trailing zeros (the exponent). */
export function parseDecimalString(s: string): Exact {
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
  if (!m) {
    const t = s.trim().toLowerCase();
    if (t === 'nan') return NAN;
    if (t === 'inf' || t === 'infinity' || t === '+infinity') return { kind: 'inf', negative: false };
    if (t === '-inf' || t === '-infinity') return { kind: 'inf', negative: true };
    throw new Error(`not a decimal number: ${s}`);
  }
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  if (intPart === '' && frac === '') throw new Error(`not a decimal number: ${s}`);
  const coef = BigInt((intPart + frac).replace(/^0+(?=\d)/, '') || '0');
  return finite(m[1] === '-' ? -coef : coef, Number(m[4] ?? 0) - frac.length);
}

/** Double → Decimal128 the way MongoDB converts when mixing them: rounded to 15 significant digits. */
export function exactFromDoubleFor128(x: number): Exact {
  if (!Number.isFinite(x)) return exactFromDouble(x);
  return parseDecimalString(x.toPrecision(15));
}

export function compareExact(a: Exact, b: Exact): number {
  // NaN sorts below every other number in MongoDB and equals itself.
  if (a.kind === 'nan' || b.kind === 'nan') return a.kind === b.kind ? 0 : a.kind === 'nan' ? -1 : 1;
  if (a.kind === 'inf' || b.kind === 'inf') {
    const av = a.kind === 'inf' ? (a.negative ? -1 : 1) : 0;
    const bv = b.kind === 'inf' ? (b.negative ? -1 : 1) : 0;
    return av === bv ? 0 : av < bv ? -1 : 1;
  }
  const sa = a.coef === 0n ? 0 : a.coef < 0n ? -1 : 1;
  const sb = b.coef === 0n ? 0 : b.coef < 0n ? -1 : 1;
  if (sa !== sb || sa === 0) return sa < sb ? -1 : sa > sb ? 1 : 0;
  // Same sign, both non-zero: the adjusted exponent decides unless equal.
  const ma = digitCount(a.coef) + a.exp;
  const mb = digitCount(b.coef) + b.exp;
  if (ma !== mb) return (ma < mb ? -1 : 1) * sa;
  const e = Math.min(a.exp, b.exp);
  const ca = a.coef * pow10(a.exp - e);
  const cb = b.coef * pow10(b.exp - e);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

export function addExact(a: Exact, b: Exact): Exact {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf' && a.negative !== b.negative) return NAN;
    return a.kind === 'inf' ? a : b;
  }
  // IEEE 754 keeps the smaller exponent, so 0.1 + 0.10 = 0.20 and sums keep their scale.
  const e = Math.min(a.exp, b.exp);
  return finite(a.coef * pow10(a.exp - e) + b.coef * pow10(b.exp - e), e);
}

export function negateExact(a: Exact): Exact {
  if (a.kind === 'finite') return finite(-a.coef, a.exp);
  if (a.kind === 'inf') return { kind: 'inf', negative: !a.negative };
  return a;
}

export function multiplyExact(a: Exact, b: Exact): Exact {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf' || b.kind === 'inf') {
    const zero = (a.kind === 'finite' && a.coef === 0n) || (b.kind === 'finite' && b.coef === 0n);
    if (zero) return NAN;
    const neg = (x: Exact): boolean => (x.kind === 'inf' ? x.negative : x.kind === 'finite' && x.coef < 0n);
    return { kind: 'inf', negative: neg(a) !== neg(b) };
  }
  return finite(a.coef * b.coef, a.exp + b.exp);
}

/**
 * a / b rounded to 34 digits. When the quotient is exact it uses the exponent closest to the IEEE
 * preferred one (exp(a) - exp(b)), so 300.0 / 3 = 100.0 as in MongoDB.
 */
export function divideExact(a: Exact, b: Exact): Exact {
  if (a.kind !== 'finite' || b.kind !== 'finite') {
    if (a.kind === 'nan' || b.kind === 'nan' || (a.kind === 'inf' && b.kind === 'inf')) return NAN;
    if (b.kind === 'inf') return finite(0n, 0);
    return multiplyExact(a, finite(b.coef < 0n ? -1n : 1n, 0));
  }
  if (b.coef === 0n) return a.coef === 0n ? NAN : { kind: 'inf', negative: a.coef < 0n !== b.coef < 0n };
  const preferred = a.exp - b.exp;
  if (a.coef === 0n) return finite(0n, preferred);
  // Scale the dividend so the quotient has at least 35 digits, then round half-even.
  const shift = Math.max(0, MAX_DIGITS + 1 - (digitCount(a.coef) - digitCount(b.coef)));
  const num = a.coef * pow10(shift);
  let q = num / b.coef;
  const exact = num % b.coef === 0n;
  let exp = preferred - shift;
  if (exact) {
    while (exp < preferred && q % 10n === 0n && q !== 0n) {
      q /= 10n;
      exp += 1;
    }
    return roundToDecimal128(finite(q, exp));
  }
  // Inexact: append a sticky digit so half-even rounding sees "more than half" correctly.
  q = q * 10n + (q < 0n || (q === 0n && num < 0n !== b.coef < 0n) ? -1n : 1n);
  exp -= 1;
  return roundToDecimal128(finite(q, exp));
}

/** Strip trailing zeros so equal values share one representation (for hash keys). */
export function normalizeExact(x: Exact): Exact {
  if (x.kind !== 'finite') return x;
  if (x.coef === 0n) return finite(0n, 0);
  let { coef, exp } = x;
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp += 1;
  }
  return finite(coef, exp);
}

export function exactToNumber(x: Exact): number {
  if (x.kind === 'nan') return NaN;
  if (x.kind === 'inf') return x.negative ? -Infinity : Infinity;
  return Number(`${x.coef}e${x.exp}`);
}

export function exactIsInteger(x: Exact): boolean {
  if (x.kind !== 'finite') return false;
  return x.exp >= 0 || x.coef % pow10(-x.exp) === 0n;
}

/** The integer part (truncated), for conversions to int/long. */
export function exactToBigInt(x: Exact): bigint {
  if (x.kind !== 'finite') return 0n;
  return x.exp >= 0 ? x.coef * pow10(x.exp) : x.coef / pow10(-x.exp);
}
