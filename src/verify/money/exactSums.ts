/**
 * Exact sums of numeric(38,18) money as BigInt scaled by 10^18: no float anywhere, and no 34-digit
 * Decimal128 ceiling (a numeric(38,18) sum can need 38 digits, which a Decimal128 `$sum` would round).
 */
const SCALE = 18;
const FACTOR = 10n ** BigInt(SCALE);
const PLAIN = /^(-?)(\d+)(?:\.(\d{0,18}))?$/;

/** Plain decimal text with at most 18 fraction digits (the mapper's output, Postgres numeric text) → scaled. */
export function toScaled(text: string): bigint {
  const match = PLAIN.exec(text.trim());
  if (!match) throw new RangeError(`not an exact decimal of scale ≤ ${SCALE}: ${JSON.stringify(text)}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const value = BigInt(whole) * FACTOR + BigInt(fraction.padEnd(SCALE, '0'));
  return sign === '-' ? -value : value;
}

/** Scaled → canonical text: no trailing fraction zeros, "0" for zero. */
export function formatScaled(scaled: bigint): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / FACTOR}${fraction ? `.${fraction}` : ''}`;
}

/** Exact sums per group key. */
export class GroupSums {
  readonly #sums = new Map<string, bigint>();

  add(key: string, scaled: bigint): void {
    this.#sums.set(key, (this.#sums.get(key) ?? 0n) + scaled);
  }

  /** key → canonical decimal text. */
  toMap(): Map<string, string> {
    return new Map([...this.#sums].map(([key, sum]) => [key, formatScaled(sum)]));
  }
}

/** A group key from its parts; SQL NULL / absent is spelled `∅` on both sides. */
export const groupKey = (...parts: (string | null | undefined)[]): string =>
  parts.map((p) => (p === null || p === undefined ? '∅' : p)).join('|');
