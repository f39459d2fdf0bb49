import { bsonTypeOf } from './bsonValues.js';
import { describeValue, FieldReject, type Read } from './reject.js';

/**
 * Money → the exact decimal text of a `numeric(38,18)` (docs/data-policy.md "Money"). No float
 * arithmetic anywhere on the path: every input is turned into a decimal *string* first, and that string
 * is normalised by moving digits, never by computing.
 *
 * Accepted: Decimal128 (its `toString()` may say `1.0E-7`), a double (taken at its shortest round-trip
 * decimal, `String(n)`, which may say `1e-7`), Int32/Long, and a numeric string (old rows) with an
 * optional sign, optional exponent and surrounding whitespace. Refused (invalid_money, never rounded):
 * NaN/Infinity, anything unparseable, more than 20 integer digits, more than 18 fraction digits once
 * trailing zeros (which carry no value) are dropped.
 */

const INTEGER_DIGITS = 20; // numeric(38,18): 38 - 18
const FRACTION_DIGITS = 18;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The value's decimal text before normalisation, or undefined when it is not a money type at all. */
function decimalText(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value.trim();
  switch (bsonTypeOf(value)) {
    case 'Decimal128':
    case 'Long':
      return String(value);
    case 'Int32':
    case 'Double':
      return String((value as { value: number }).value);
    default:
      return undefined;
  }
}

/**
 * Normalise decimal text: plain notation, no leading zeros, no trailing fraction zeros, no `-0`.
 * Returns undefined for text that is not a finite decimal, or a message when it does not fit.
 */
export function normaliseDecimal(text: string): { ok: string } | { error: string } | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign = '', intPart = '', fracPart = '', expText] = match;
  if (intPart.length === 0 && fracPart.length === 0) return undefined; // '', '.', '-', 'e5'
  // Zero is zero whatever its sign or exponent (`-0.00`, Decimal128 `0E-18`).
  if (!/[1-9]/.test(intPart + fracPart)) return { ok: '0' };
  const exponent = expText === undefined ? 0 : Number(expText);
  if (!Number.isSafeInteger(exponent)) return { error: 'exponent out of range' };

  // `point` = how many digits of the coefficient stand before the decimal point.
  let coefficient = intPart + fracPart;
  let point = intPart.length + exponent;
  const leading = /^0*/.exec(coefficient)?.[0].length ?? 0;
  coefficient = coefficient.slice(leading);
  point -= leading;
  coefficient = coefficient.replace(/0+$/, ''); // trailing zeros shift nothing: `point` counts from the left

  const integerDigits = Math.max(point, 0);
  const fractionDigits = Math.max(coefficient.length - point, 0);
  if (integerDigits > INTEGER_DIGITS)
    return { error: `${integerDigits} integer digits (max ${INTEGER_DIGITS})` };
  if (fractionDigits > FRACTION_DIGITS) {
    return { error: `${fractionDigits} fraction digits (max ${FRACTION_DIGITS}; never rounded)` };
  }

  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${coefficient}`;
  else if (point >= coefficient.length) plain = coefficient + '0'.repeat(point - coefficient.length);
  else plain = `${coefficient.slice(0, point)}.${coefficient.slice(point)}`;
  return { ok: sign === '-' ? `-${plain}` : plain };
}

function readMoney(value: unknown, field: string): Read<string> {
  const text = decimalText(value);
  const parsed = text === undefined ? undefined : normaliseDecimal(text);
  if (parsed === undefined) {
    return new FieldReject(
      'invalid_money',
      field,
      `${field} is ${describeValue(value)}, not a finite decimal`,
    );
  }
  if ('error' in parsed) {
    return new FieldReject('invalid_money', field, `${field} is ${describeValue(value)}: ${parsed.error}`);
  }
  return parsed.ok;
}

export function requiredMoney(value: unknown, field: string): Read<string> {
  if (value === undefined || value === null) {
    return new FieldReject('missing_field', field, `${field} is absent or null`);
  }
  return readMoney(value, field);
}

export function optionalMoney(value: unknown, field: string): Read<string | null> {
  return value === undefined || value === null ? null : readMoney(value, field);
}
