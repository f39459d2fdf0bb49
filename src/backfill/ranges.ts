import { EJSON } from 'bson';
import type { Document, Filter } from 'mongodb';

/**
 * A chunk is a half-open `_id` range [lo, hi) inside one BSON type bracket. MongoDB compares values of
 * different types by type order before value, and `$gte`/`$lt` only match the bound's own type, so a
 * collection whose `_id`s are ObjectIds on new rows and strings on old ones (configsettings) is planned
 * as one bracket per type, each range filtered with `$type` as well.
 */
const ORDERED_BRACKETS = ['number', 'string', 'object', 'binData', 'objectId', 'bool', 'date'] as const;
/**
 * The brackets in MongoDB's sort order, plus `other`: every `_id` type none of them covers (null,
 * MinKey/MaxKey, Timestamp, regex). Such documents cannot become rows, but they are read, as one
 * unbounded range, so each becomes a reject with its reason instead of being skipped unseen.
 */
export const ID_TYPE_BRACKETS = [...ORDERED_BRACKETS, 'other'] as const;
export type IdTypeBracket = (typeof ID_TYPE_BRACKETS)[number];
export const SORTED_ID_BRACKETS: readonly IdTypeBracket[] = ORDERED_BRACKETS;

export interface IdRange {
  readonly type: IdTypeBracket;
  /** Inclusive lower bound; null = from the start of the bracket. */
  readonly lo: unknown;
  /** Exclusive upper bound; null = to the end of the bracket. */
  readonly hi: unknown;
}

/** Canonical Extended JSON keeps the bound's exact BSON type (ObjectId, Long, Decimal128) in a text column. */
export function encodeBound(value: unknown): string | null {
  return value === null || value === undefined ? null : EJSON.stringify({ v: value }, { relaxed: false });
}

export function decodeBound(text: string | null): unknown {
  return text === null ? null : (EJSON.parse(text, { relaxed: false }) as { v: unknown }).v;
}

export function rangeFilter(range: IdRange): Filter<Document> {
  if (range.type === 'other') {
    const outsideEveryBracket: Document = { _id: { $not: { $type: [...ORDERED_BRACKETS] } } };
    return outsideEveryBracket;
  }
  const condition: Record<string, unknown> = { $type: range.type };
  if (range.lo !== null && range.lo !== undefined) condition.$gte = range.lo;
  if (range.hi !== null && range.hi !== undefined) condition.$lt = range.hi;
  return { _id: condition };
}
