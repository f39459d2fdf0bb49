import { Types } from 'mongoose';
import { normaliseDecimal } from '../../collections/mapping/money.js';
import { DomainRuleError, type Id, type Money } from '../domain/common.js';

/**
 * Money between the domain's exact decimal strings and what MongoDB holds: Decimal128 on every write
 * (never a JS number), and on reads whatever the legacy rows hold (Decimal128, an old double, a numeric
 * string) read the way the migration reads it (docs/data-policy.md "Money", the one normaliser in
 * src/collections/mapping/money.ts), so both stores answer the same canonical text ("12.5", not
 * "12.50" or "1.25E+1"). Sums are BigInt at the policy's 18 fraction digits: no float anywhere.
 */

const SCALE = 18;
const FACTOR = 10n ** BigInt(SCALE);

/** A stored amount that the data policy refuses (unparseable, too many digits): it cannot be answered exactly. */
export class StoredMoneyError extends Error {
  override readonly name = 'StoredMoneyError';
  constructor(
    readonly collection: string,
    readonly id: Id,
    readonly field: string,
    detail: string,
  ) {
    super(`${collection} ${id}: ${field} ${detail}`);
  }
}

/** The decimal text of a value as MongoDB (or toDomain) hands it over, undefined for a non-number. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value); // an old double at its shortest round-trip decimal
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'object' && value !== null) {
    const bson = (value as { _bsontype?: unknown })._bsontype;
    if (bson === 'Decimal128' || bson === 'Long') return String(value);
    if (bson === 'Int32' || bson === 'Double') return String((value as { value: number }).value);
  }
  return undefined;
}

/** The canonical exact text of a stored amount; throws StoredMoneyError when the policy refuses it. */
export function storedDecimal(value: unknown, at: { collection: string; id: Id; field: string }): string {
  const text = textOf(value);
  const parsed = text === undefined ? undefined : normaliseDecimal(text);
  if (parsed === undefined) throw new StoredMoneyError(at.collection, at.id, at.field, 'is not a decimal');
  if ('error' in parsed) throw new StoredMoneyError(at.collection, at.id, at.field, parsed.error);
  return parsed.ok;
}

/** A caller's decimal, checked and canonical; a refusal is the caller's error (DomainRuleError). */
export function checkedDecimalText(value: string, collection: string, id: Id | null = null): string {
  const parsed = normaliseDecimal(value);
  if (parsed === undefined || 'error' in parsed)
    throw new DomainRuleError(collection, id, `invalid money ${JSON.stringify(value)}`);
  // Decimal128 holds 34 significant digits, fewer than numeric(38,18): MongoDB is the narrower store.
  try {
    Types.Decimal128.fromString(parsed.ok);
  } catch {
    throw new DomainRuleError(collection, id, `money ${parsed.ok} has more digits than a Decimal128 holds`);
  }
  return parsed.ok;
}

/** A caller's amount, checked and canonical, with its currency. */
export function checkedDecimal(money: Money, collection: string, id: Id | null = null): string {
  if (!money.currency) throw new DomainRuleError(collection, id, 'money without a currency');
  return checkedDecimalText(money.value, collection, id);
}

/** What is written: a Decimal128 built from the exact text (Mongoose would cast a number through a double). */
export function decimal128(text: string): Types.Decimal128 {
  return Types.Decimal128.fromString(text);
}

export const isNegative = (text: string): boolean => text.startsWith('-');
export const isZero = (text: string): boolean => text === '0';
export const negated = (text: string): string =>
  isZero(text) ? text : isNegative(text) ? text.slice(1) : `-${text}`;

/** Canonical decimal text (≤ 18 fraction digits, as normaliseDecimal gives it) → BigInt scaled by 10^18. */
function scaled(text: string): bigint {
  const negative = isNegative(text);
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const value = BigInt(whole) * FACTOR + BigInt(fraction.padEnd(SCALE, '0'));
  return negative ? -value : value;
}

function formatScaled(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / FACTOR}${fraction ? `.${fraction}` : ''}`;
}

/** The exact sum of canonical decimal texts ("0.1" + "0.2" is "0.3"), canonical itself. */
export function sumDecimals(texts: Iterable<string>): string {
  let total = 0n;
  for (const text of texts) total += scaled(text);
  return formatScaled(total);
}
