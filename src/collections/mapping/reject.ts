import type { Reject, RejectReason } from '../spec.js';

/**
 * A field reader's refusal. A class, not a plain object, so a reader's result can be told apart from a
 * legitimate value by `instanceof`: a Mixed field may well hold a plain object with a `reject` key.
 */
export class FieldReject implements Reject {
  constructor(
    readonly reject: RejectReason,
    readonly field: string,
    readonly message: string,
  ) {}
}

export const isFieldReject = (value: unknown): value is FieldReject => value instanceof FieldReject;

/** What a reader returns: the value, or why the document cannot become a row. */
export type Read<T> = T | FieldReject;

const MAX_SHOWN = 40;

/** A short rendering of an offending value for a reject message (never the whole document). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  if (value instanceof Date)
    return `date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}`;
  if (Array.isArray(value)) return `array(${value.length})`;
  const bsonType = (value as { _bsontype?: unknown })._bsontype;
  if (typeof bsonType === 'string') return `${bsonType} ${String(value)}`;
  return typeof value;
}
