import { bsonTypeOf } from './bsonValues.js';
import { describeValue, FieldReject, type Read } from './reject.js';

/**
 * Scalar readers (docs/data-policy.md "Values"): each takes the raw value and the dotted field name it
 * came from, and returns the column value or a reject naming that field. Nothing is coerced: a numeric
 * string is not an int, a date string is not a date.
 */

const missing = (field: string): FieldReject =>
  new FieldReject('missing_field', field, `${field} is absent or null`);

const wrongType = (field: string, value: unknown, expected: string): FieldReject =>
  new FieldReject('invalid_type', field, `${field} is ${describeValue(value)}, expected ${expected}`);

// ---- strings -------------------------------------------------------------------------------------

function readString(value: unknown, field: string): Read<string> {
  if (typeof value !== 'string') return wrongType(field, value, 'a string');
  // Postgres text cannot hold U+0000; everything else (emoji, RTL, long text) is copied byte for byte.
  if (value.includes('\u0000')) return new FieldReject('invalid_type', field, `${field} contains NUL`);
  return value;
}

export function requiredString(value: unknown, field: string): Read<string> {
  return value === undefined || value === null ? missing(field) : readString(value, field);
}

export function optionalString(value: unknown, field: string): Read<string | null> {
  return value === undefined || value === null ? null : readString(value, field);
}

// ---- integers ------------------------------------------------------------------------------------

/** The column an integer lands in; `int8` is limited to what a JS number holds exactly. */
export type IntWidth = 'int4' | 'int8';

const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;

/** The number an Int32/Long/Double/number holds, or undefined for anything else. */
function numericValue(value: unknown): number | bigint | undefined {
  if (typeof value === 'number') return value;
  switch (bsonTypeOf(value)) {
    case 'Int32':
    case 'Double':
      return (value as { value: number }).value;
    case 'Long':
      return (value as { toBigInt(): bigint }).toBigInt();
    default:
      return undefined;
  }
}

function readInt(value: unknown, field: string, width: IntWidth): Read<number> {
  const n = numericValue(value);
  if (n === undefined) return wrongType(field, value, 'an integer');
  const fits =
    typeof n === 'bigint'
      ? width === 'int4'
        ? n >= BigInt(INT4_MIN) && n <= BigInt(INT4_MAX)
        : n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
      : Number.isInteger(n) && (width === 'int4' ? n >= INT4_MIN && n <= INT4_MAX : Number.isSafeInteger(n));
  if (!fits) {
    const why = typeof n === 'number' && !Number.isInteger(n) ? 'not an integer' : `out of ${width} range`;
    return new FieldReject('invalid_type', field, `${field} is ${describeValue(value)}: ${why}`);
  }
  // Integers have no negative zero; -0 (a Double) is the integer 0.
  return typeof n === 'bigint' ? Number(n) : Object.is(n, -0) ? 0 : n;
}

export function requiredInt(value: unknown, field: string, width: IntWidth = 'int4'): Read<number> {
  return value === undefined || value === null ? missing(field) : readInt(value, field, width);
}

export function optionalInt(value: unknown, field: string, width: IntWidth = 'int4'): Read<number | null> {
  return value === undefined || value === null ? null : readInt(value, field, width);
}

// ---- booleans ------------------------------------------------------------------------------------

export function optionalBool(value: unknown, field: string): Read<boolean | null> {
  if (value === undefined || value === null) return null;
  return typeof value === 'boolean' ? value : wrongType(field, value, 'a boolean');
}

/**
 * A boolean the model defaults (`primary: false`). Absent takes the default, as Mongoose does when it
 * hydrates; an explicit null is a different value the NOT NULL column cannot hold.
 */
export function boolWithDefault(value: unknown, field: string, fallback: boolean): Read<boolean> {
  if (value === undefined) return fallback;
  if (value === null) return missing(field);
  return typeof value === 'boolean' ? value : wrongType(field, value, 'a boolean');
}

// ---- dates ---------------------------------------------------------------------------------------

/** timestamptz starts at 4714-11-24 BC; a JS Date can reach further back. */
const PG_MIN_TIME = Date.UTC(-4713, 10, 24);

export function optionalDate(value: unknown, field: string): Read<Date | null> {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Date)) return wrongType(field, value, 'a date');
  const time = value.getTime();
  if (Number.isNaN(time) || time < PG_MIN_TIME) return wrongType(field, value, 'a valid date');
  return value;
}

// ---- enums ---------------------------------------------------------------------------------------

/**
 * An enum the model defaults. Absent → the default; a value outside `values` (the production enum of
 * legacy-schema.md) → invalid_enum, and so is null: the column is NOT NULL and null is no member.
 */
export function enumWithDefault<const T extends readonly [string, ...string[]]>(
  value: unknown,
  field: string,
  values: T,
  fallback: T[number],
): Read<T[number]> {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T[number];
  return new FieldReject(
    'invalid_enum',
    field,
    `${field} is ${describeValue(value)}, not one of ${values.join(', ')}`,
  );
}

/**
 * A string the model defaults (`amount.currency`, default USDT). Absent takes the default, as Mongoose
 * does when it hydrates; an explicit null is a value the NOT NULL column cannot hold (boolWithDefault).
 */
export function stringWithDefault(value: unknown, field: string, fallback: string): Read<string> {
  if (value === undefined) return fallback;
  if (value === null) return new FieldReject('missing_field', field, `${field} is absent or null`);
  return typeof value === 'string'
    ? requiredString(value, field)
    : new FieldReject('invalid_type', field, `${field} is ${describeValue(value)}, expected a string`);
}
