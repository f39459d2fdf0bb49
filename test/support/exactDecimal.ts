/**
 * An exact decimal adder for test oracles, written from docs/data-policy.md and not from src/: money as
 * the raw driver hands it over (Decimal128, Int32/Long/Double or a plain number, a numeric string) →
 * BigInt scaled to 18 decimal places (numeric(38,18)), sums → canonical decimal text. No float on the
 * path, and nothing is ever rounded: a value that does not fit is an error, as it is a reject in the policy.
 */
const SCALE = 18;
const FACTOR = 10n ** BigInt(SCALE);
const MAX_INTEGER_DIGITS = 20;

/** Why the policy refuses a money value (the reject reasons of docs/data-policy.md). */
export type MoneyRefusal = 'missing_field' | 'invalid_money';

export type MoneyReading =
  | { readonly ok: true; readonly scaled: bigint }
  | { readonly ok: false; readonly reason: MoneyRefusal; readonly detail: string };

const refuse = (reason: MoneyRefusal, detail: string): MoneyReading => ({ ok: false, reason, detail });

/** Plain decimal text, as a numeric string holds it. */
const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;
/** What Decimal128#toString and Number#toString print: plain, or with an exponent (1E-7, 1.5e+21). */
const WITH_EXPONENT = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Decimal text → scaled BigInt. The fraction digits are counted as written (the policy's "more than 18
 * fraction digits" never rounds, not even trailing zeros); the integer digits without leading zeros.
 */
function readText(text: string, grammar: RegExp): MoneyReading {
  const match = grammar.exec(text);
  if (match === null) return refuse('invalid_money', `not a decimal: ${JSON.stringify(text)}`);
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  // value = digits × 10^-scale, scale counted as written.
  const scale = fraction.length - exponent;
  const digits = BigInt(whole + fraction);
  if (scale > SCALE) return refuse('invalid_money', `${text}: ${scale} fraction digits (at most ${SCALE})`);
  const scaled = digits * 10n ** BigInt(SCALE - scale);
  const integerDigits = (scaled / FACTOR).toString().replace(/^0+/, '').length;
  if (integerDigits > MAX_INTEGER_DIGITS)
    return refuse(
      'invalid_money',
      `${text}: ${integerDigits} integer digits (at most ${MAX_INTEGER_DIGITS})`,
    );
  return { ok: true, scaled: sign === '-' ? -scaled : scaled };
}

function readNumber(value: number): MoneyReading {
  if (!Number.isFinite(value)) return refuse('invalid_money', `non-finite ${value}`);
  // Number#toString is the shortest round-trip decimal (0.1 → "0.1"), exponent included when it has one.
  return readText(String(value), WITH_EXPONENT);
}

/**
 * One money value as the legacy data holds it, read by the policy: absent or null → missing_field;
 * Decimal128 by its own text; a double at its shortest round-trip decimal; an integer exactly; a plain
 * numeric string exactly; anything else (or out of range) → invalid_money.
 */
export function readMoney(value: unknown): MoneyReading {
  if (value === undefined || value === null) return refuse('missing_field', 'absent or null');
  if (typeof value === 'number') return readNumber(value);
  if (typeof value === 'bigint') return readText(value.toString(), PLAIN);
  if (typeof value === 'string') return readText(value, PLAIN);
  if (typeof value === 'object') {
    const bson = (value as { _bsontype?: unknown })._bsontype;
    if (bson === 'Decimal128' || bson === 'Long') return readText(String(value), WITH_EXPONENT);
    if (bson === 'Int32' || bson === 'Double') return readNumber(Number((value as { value: unknown }).value));
  }
  return refuse('invalid_money', `not money: ${Object.prototype.toString.call(value)}`);
}

/** A scaled BigInt as canonical text: no trailing fraction zeros, no lone point, "0" for zero. */
export function formatScaled(scaled: bigint): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / FACTOR}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Postgres numeric text (`sum(amount)::text`, padded to the column's scale) in the same canonical form,
 * by string operations only: nothing is truncated, so a 19th decimal would still show.
 */
export function normaliseDecimalText(text: string): string {
  const match = PLAIN.exec(text);
  if (match === null) throw new Error(`not a plain decimal: ${JSON.stringify(text)}`);
  const [, sign = '', whole = '', fraction = ''] = match;
  const integer = whole.replace(/^0+(?=\d)/, '');
  const decimals = fraction.replace(/0+$/, '');
  if (integer === '0' && decimals === '') return '0';
  return `${sign}${integer}${decimals ? `.${decimals}` : ''}`;
}

/** Exact sums per group key; `add` takes scaled values from readMoney. */
export class ExactSums {
  private readonly sums = new Map<string, bigint>();

  add(group: string, scaled: bigint): void {
    this.sums.set(group, (this.sums.get(group) ?? 0n) + scaled);
  }

  /** group → canonical decimal text, keys sorted. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(
      [...this.sums].sort(([a], [b]) => a.localeCompare(b)).map(([group, sum]) => [group, formatScaled(sum)]),
    );
  }
}
