/** A decimal as text: sign, digits, an optional fraction, an optional exponent ("1.2E+3" from Decimal128). */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The one spelling of an exact decimal, so that MongoDB's Decimal128 ("12.50", "1.25E+1") and Postgres'
 * numeric ("12.500000") compare equal when they are the same number: no exponent, no leading zeros, no
 * trailing fractional zeros, no "-0". Done on the digits, never through a float. Returns null for text
 * that is not a decimal.
 */
export function exactDecimalText(text: string): string | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return null;
  let digits = whole + fraction;
  // Position of the decimal point within `digits`, moved by the exponent.
  let point = whole.length + Number(exponent);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const intPart = digits.slice(0, point).replace(/^0+/, '') || '0';
  const fracPart = digits.slice(point).replace(/0+$/, '');
  const body = fracPart ? `${intPart}.${fracPart}` : intPart;
  return sign === '-' && body !== '0' ? `-${body}` : body;
}
