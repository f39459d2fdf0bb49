import { Decimal128 } from 'bson';
import type { Rng } from './prng.js';

/**
 * Money as production holds it: Decimal128 with up to 18 decimals on rows written since the Decimal128
 * migration, and on old rows a double or a numeric string. docs/data-policy.md takes Decimal128, doubles
 * (at their shortest round-trip decimal) and numeric strings exactly, and rejects with `invalid_money`
 * anything unparseable or beyond numeric(38,18) (more than 20 integer or 18 fraction digits).
 */

/** The shapes a money quirk writes instead of a clean Decimal128. */
export type MoneyShape = 'double' | 'string' | 'unparseable' | 'too_many_decimals' | 'too_many_digits';

/** Doubles whose shortest decimal is short and exact in numeric(38,18); never integral (BSON would store an int32). */
const OLD_DOUBLES = [12.5, 0.1, 19.99, 0.3, 1234.56, 99.95, 0.07, 250.75];
/** Numeric strings as old import scripts wrote them: exact, including the 18th decimal. */
const NUMERIC_STRINGS = ['42.000000000000000001', '0.000000000000000001', '1000', '19.99'];
/** Not a number in any locale-free reading; `NaN` is the non-finite case. */
const UNPARSEABLE = ['12,50', 'abc', '12.5 USDT', 'NaN'];
/** 19 fraction digits, the last non-zero so that no trailing-zero trimming could make them fit. */
const TOO_MANY_DECIMALS = ['0.1234567890123456789', '1.0000000000000000001'];
/** 21 integer digits: one more than numeric(38,18) holds. Decimal128 represents it exactly. */
const TOO_MANY_DIGITS = '123456789012345678901';

/**
 * A clean amount in [0, maxInteger) as decimal text: mostly cents, sometimes the 6, 8 or 18 decimals of a
 * token amount. The last decimal is never 0, so the text is also the shortest exact form.
 */
export function decimalText(rng: Rng, maxInteger: number): string {
  const integer = rng.int(maxInteger);
  const scale = rng.pick([0, 2, 2, 2, 2, 6, 8, 18]);
  if (scale === 0) return String(Math.max(1, integer));
  return `${integer}.${rng.chars('0123456789', scale - 1)}${rng.chars('123456789', 1)}`;
}

const negate = (text: string, negative: boolean): string => (negative ? `-${text}` : text);

/** The stored value of an amount: Decimal128 of `clean`, or the quirk's shape (signed like the clean one). */
export function moneyValue(rng: Rng, clean: string, shape: MoneyShape | undefined): unknown {
  const negative = clean.startsWith('-');
  switch (shape) {
    case undefined:
      return Decimal128.fromString(clean);
    case 'double': {
      const value = rng.pick(OLD_DOUBLES);
      return negative ? -value : value;
    }
    case 'string':
      return negate(rng.pick(NUMERIC_STRINGS), negative);
    case 'unparseable':
      return rng.pick(UNPARSEABLE);
    case 'too_many_decimals':
      return negate(rng.pick(TOO_MANY_DECIMALS), negative);
    case 'too_many_digits':
      return Decimal128.fromString(negate(TOO_MANY_DIGITS, negative));
  }
}
