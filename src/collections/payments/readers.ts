import {
  describeValue,
  enumWithDefault,
  FieldReject,
  isPlainObject,
  requiredString,
  type MapBuilder,
  type Read,
} from '../mapping/index.js';

/**
 * Readers the money collections share beyond src/collections/mapping, same policy (docs/data-policy.md
 * "Values", "Arrays"). They belong in mapping/scalars.ts and mapping/arrays.ts (subdocElements is also
 * private to users/children.ts); they live here only until the lead moves them.
 */

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

/**
 * A string the model defaults (`amount.currency`, default USDT). Absent takes the default, as Mongoose
 * does when it hydrates; an explicit null is a value the NOT NULL column cannot hold (boolWithDefault).
 */
export function stringWithDefault(value: unknown, field: string, fallback: string): Read<string> {
  if (value === undefined) return fallback;
  if (value === null) return missing(field);
  return typeof value === 'string'
    ? requiredString(value, field)
    : new FieldReject('invalid_type', field, `${field} is ${describeValue(value)}, expected a string`);
}

/**
 * The sub-document elements of an array field, each with its source index and dotted path; null
 * elements become `null_array_element` anomalies (MapBuilder.array), a non-object element rejects.
 */
export function subdocElements(
  b: MapBuilder,
  value: unknown,
  field: string,
): { ordinal: number; at: string; element: Record<string, unknown> }[] {
  const elements = b.array(value, field) ?? [];
  return elements.flatMap(({ ordinal, value: element }) => {
    const at = `${field}.${ordinal}`;
    if (isPlainObject(element)) return [{ ordinal, at, element }];
    b.read(
      new FieldReject('invalid_type', at, `${at} is ${describeValue(element)}, expected a sub-document`),
    );
    return [];
  });
}
