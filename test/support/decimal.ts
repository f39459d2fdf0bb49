/**
 * Exact decimal arithmetic for assertions about money: decimal strings in, decimal string out, via
 * BigInt scaled to 18 places (numeric(38,18)). No float anywhere.
 */
const SCALE = 18n;
const FACTOR = 10n ** SCALE;

export function toScaled(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^[+-]/, '').split('.');
  const value = BigInt(whole || '0') * FACTOR + BigInt((fraction + '0'.repeat(18)).slice(0, 18) || '0');
  return negative ? -value : value;
}

export function fromScaled(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / FACTOR;
  const fraction = (abs % FACTOR).toString().padStart(18, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Canonical form of a decimal string (Postgres pads numeric(38,18) with zeros; sources may not). */
export const canonicalDecimal = (text: string): string => fromScaled(toScaled(text));
