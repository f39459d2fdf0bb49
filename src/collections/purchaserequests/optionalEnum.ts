import { enumWithDefault, type Read } from '../mapping/index.js';

/**
 * An enum the model does not default (legacy-schema.md states none for the marketplace statuses): absent
 * or null → NULL, as for any optional field; a value outside the production enum → invalid_enum.
 * Shared by the marketplace mappers; it belongs beside `enumWithDefault` in mapping/scalars.ts.
 */
export function optionalEnum<const T extends readonly [string, ...string[]]>(
  value: unknown,
  field: string,
  values: T,
): Read<T[number] | null> {
  if (value === undefined || value === null) return null;
  // Never the fallback: `value` is present, so it is either a member or invalid_enum.
  return enumWithDefault(value, field, values, values[0]);
}
