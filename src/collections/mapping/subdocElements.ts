import { isPlainObject } from './bsonValues.js';
import type { MapBuilder } from './builder.js';
import { describeValue, FieldReject } from './reject.js';

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
