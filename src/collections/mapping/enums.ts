import { FieldReject, type Read } from './reject.js';
import { enumWithDefault } from './scalars.js';

/** Enum readers for fields the model does not default (docs/data-policy.md "Values"). */

const missing = (field: string): FieldReject =>
  new FieldReject('missing_field', field, `${field} is absent or null`);

/** An enum the model requires but does not default: absent or null → missing_field. */
export function requiredEnum<const T extends readonly [string, ...string[]]>(
  value: unknown,
  field: string,
  values: T,
): Read<T[number]> {
  if (value === undefined || value === null) return missing(field);
  return enumWithDefault(value, field, values, values[0]);
}

/** An optional enum: absent or null → NULL; anything outside `values` → invalid_enum. */
export function optionalEnum<const T extends readonly [string, ...string[]]>(
  value: unknown,
  field: string,
  values: T,
): Read<T[number] | null> {
  if (value === undefined || value === null) return null;
  return enumWithDefault(value, field, values, values[0]);
}
