import { exactDecimalText } from './decimalText.js';

/**
 * A repository answer brought to plain, comparable JSON, so that the Mongo and Drizzle repositories'
 * domain objects compare on their data, not on how each store spells it:
 * - Decimal128 / Decimal objects, and the `value` of a Money (`{ value, currency }`, a number or text),
 *   become exact decimal text (./decimalText.ts);
 * - Dates become ISO text; ObjectIds their hex;
 * - object keys are sorted, functions (`toJSON`) and fields holding undefined or null are dropped: the
 *   mapper reads an absent field and a null one alike (one NULL column) and the reverse mapping leaves
 *   such a field out, so null-vs-absent is a documented loss, not a difference (readsAgree does the same);
 * - arrays keep their order (a list read's order is part of its answer) and their nulls.
 * Known per-collection losses (./losses.ts) are applied before this, to the Mongo side only.
 */
export function normaliseAnswer(value: unknown): unknown {
  return normalise(value);
}

function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return typeof value === 'function' ? null : value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  const decimal = decimalObjectText(value);
  if (decimal !== null) return decimal;
  const bsonType = (value as { _bsontype?: unknown })._bsontype;
  if (bsonType === 'ObjectId' || bsonType === 'ObjectID')
    return (value as { toHexString(): string }).toHexString();
  const record = value as Record<string, unknown>;
  const money = isMoney(record);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    const inner = record[key];
    if (inner === undefined || inner === null || typeof inner === 'function') continue;
    out[key] =
      money && key === 'value' && (typeof inner === 'string' || typeof inner === 'number')
        ? (exactDecimalText(String(inner)) ?? inner)
        : normalise(inner);
  }
  return out;
}

/** A Money as the domain types it: exactly a decimal `value` and a `currency` code. */
function isMoney(record: Record<string, unknown>): boolean {
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  return (
    keys.length === 2 &&
    typeof record.currency === 'string' &&
    (typeof record.value === 'string' || typeof record.value === 'number')
  );
}

/** Decimal128 (bson) and decimal.js-style `Decimal` objects, as exact text; null for anything else. */
function decimalObjectText(value: object): string | null {
  const tag = (value as { _bsontype?: unknown })._bsontype ?? value.constructor?.name;
  if (tag !== 'Decimal128' && tag !== 'Decimal') return null;
  return exactDecimalText(String(value));
}
