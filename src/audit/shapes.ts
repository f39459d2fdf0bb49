import { bsonTypeOf, isObjectId } from '../collections/mapping/bsonValues.js';
import { normaliseDecimal } from '../collections/mapping/money.js';

/**
 * The shape of one field value, in the vocabulary of docs/data-policy.md, so an audit report reads like
 * the policy table: what a team will see migrated, flagged or rejected.
 */
export type ReferenceShape =
  | 'objectId'
  | 'hex24String'
  | 'templateString'
  | 'otherString'
  | 'emptyString'
  | 'null'
  | 'absent'
  | 'otherType';

export type MoneyShape =
  | 'decimal128'
  | 'double'
  | 'integer'
  | 'numericString'
  | 'unparseableString'
  | 'outOfRange'
  | 'null'
  | 'absent'
  | 'otherType';

const HEX24 = /^[0-9a-f]{24}$/i;

export function referenceShape(value: unknown): ReferenceShape {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (isObjectId(value)) return 'objectId';
  if (typeof value === 'string') {
    if (value === '') return 'emptyString';
    if (HEX24.test(value)) return 'hex24String';
    if (value.startsWith('tmpl_')) return 'templateString';
    return 'otherString';
  }
  return 'otherType';
}

export function moneyShape(value: unknown): MoneyShape {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  const text =
    typeof value === 'string'
      ? value.trim()
      : typeof value === 'number'
        ? String(value)
        : bsonTypeOf(value) === 'Decimal128' || bsonTypeOf(value) === 'Long' || bsonTypeOf(value) === 'Int32'
          ? String(value)
          : bsonTypeOf(value) === 'Double'
            ? String((value as { value: number }).value)
            : undefined;
  if (text === undefined) return 'otherType';
  const parsed = normaliseDecimal(text);
  if (parsed === undefined) return typeof value === 'string' ? 'unparseableString' : 'outOfRange';
  if ('error' in parsed) return 'outOfRange';
  if (typeof value === 'string') return 'numericString';
  if (bsonTypeOf(value) === 'Decimal128') return 'decimal128';
  if (typeof value === 'number' ? Number.isInteger(value) : bsonTypeOf(value) !== 'Double') return 'integer';
  return 'double';
}
