import { describeValue, FieldReject, type Read } from './reject.js';

/** One element of a source array, with its index there (child tables keep it as `ordinal`). */
export interface ArrayElement {
  readonly ordinal: number;
  readonly value: unknown;
}

export interface ArrayRead {
  /** The non-null elements, in source order. */
  readonly elements: readonly ArrayElement[];
  /** Indexes of `null` elements: skipped, and recorded as `null_array_element` by the caller. */
  readonly nullOrdinals: readonly number[];
}

/**
 * An array field (docs/data-policy.md "Arrays"). Absent or null → null (the caller decides whether that
 * is zero child rows or a NULL column); an empty array is zero elements; anything else is invalid_type.
 */
export function readArray(value: unknown, field: string): Read<ArrayRead | null> {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) {
    return new FieldReject('invalid_type', field, `${field} is ${describeValue(value)}, expected an array`);
  }
  const elements: ArrayElement[] = [];
  const nullOrdinals: number[] = [];
  value.forEach((item: unknown, ordinal) => {
    if (item === null || item === undefined) nullOrdinals.push(ordinal);
    else elements.push({ ordinal, value: item });
  });
  return { elements, nullOrdinals };
}
