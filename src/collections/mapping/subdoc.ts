import { isPlainObject } from './bsonValues.js';
import { describeValue, FieldReject, type Read } from './reject.js';

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A sub-document flattened into columns (`profile.*`). Absent or null → every column NULL, exactly as
 * for a sub-document whose own fields are absent; a non-object (a string, an array) → invalid_type.
 */
export function readSubdoc(value: unknown, field: string): Read<Readonly<Record<string, unknown>>> {
  if (value === undefined || value === null) return EMPTY;
  if (isPlainObject(value)) return value;
  return new FieldReject(
    'invalid_type',
    field,
    `${field} is ${describeValue(value)}, expected a sub-document`,
  );
}
