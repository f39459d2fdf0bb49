import { Decimal128, Double, Int32, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { optionalMoney, requiredMoney } from '../../src/collections/mapping/money.js';
import { FieldReject } from '../../src/collections/mapping/reject.js';

const money = (value: unknown) => requiredMoney(value, 'amount.value');
const refused = (value: unknown) => {
  const result = money(value);
  expect(result).toBeInstanceOf(FieldReject);
  expect(result).toMatchObject({ reject: 'invalid_money', field: 'amount.value' });
  return (result as FieldReject).message;
};

describe('money → numeric(38,18) text', () => {
  it('takes a double at its shortest round-trip decimal', () => {
    expect(money(0.1)).toBe('0.1');
    expect(money(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(money(new Double(12.5))).toBe('12.5');
    expect(money(-3)).toBe('-3');
  });

  it('expands exponent notation of a double exactly, without float math', () => {
    expect(String(1e-7)).toBe('1e-7');
    expect(money(1e-7)).toBe('0.0000001');
    expect(money(1.5e-10)).toBe('0.00000000015');
    expect(money(1e19)).toBe('10000000000000000000'); // 20 integer digits: the most numeric(38,18) holds
  });

  it('keeps all 34 digits of a Decimal128 with 18 fraction digits', () => {
    // 123456789012345678.123456789012345678 has 36 significant digits: no Decimal128 can hold it
    // (bson refuses "inexact rounding"), so the largest exact Decimal128 of that shape is 16+18 digits.
    expect(money(Decimal128.fromString('1234567890123456.123456789012345678'))).toBe(
      '1234567890123456.123456789012345678',
    );
    // …and the full 36-digit value is fine as a numeric string (old rows).
    expect(money('123456789012345678.123456789012345678')).toBe('123456789012345678.123456789012345678');
  });

  it("expands Decimal128's exponent form", () => {
    expect(Decimal128.fromString('0.0000001').toString()).toBe('1E-7');
    expect(money(Decimal128.fromString('1.0E-7'))).toBe('0.0000001');
    expect(money(Decimal128.fromString('1E+3'))).toBe('1000');
    expect(money(Decimal128.fromString('1.50'))).toBe('1.5');
    expect(money(Decimal128.fromString('0E-18'))).toBe('0');
  });

  it('refuses more than 18 fraction digits instead of rounding', () => {
    expect(refused('0.1234567890123456789')).toMatch(/19 fraction digits/);
    expect(refused(Decimal128.fromString('1E-19'))).toMatch(/19 fraction digits/);
    expect(refused(5e-324)).toMatch(/fraction digits/);
    // Trailing zeros carry no value: not a 19th digit.
    expect(money('1.1000000000000000000')).toBe('1.1');
  });

  it('refuses more than 20 integer digits', () => {
    expect(money('99999999999999999999.999999999999999999')).toBe('99999999999999999999.999999999999999999');
    expect(refused('123456789012345678901')).toMatch(/21 integer digits/);
    expect(refused(1e21)).toMatch(/22 integer digits/);
    expect(refused(Decimal128.fromString('1E+6144'))).toMatch(/integer digits/);
  });

  it('refuses NaN and infinities in every representation', () => {
    for (const value of [
      NaN,
      Infinity,
      -Infinity,
      new Double(NaN),
      Decimal128.fromString('NaN'),
      Decimal128.fromString('Infinity'),
      Decimal128.fromString('-Infinity'),
      'NaN',
      'Infinity',
    ]) {
      expect(refused(value)).toMatch(/not a finite decimal/);
    }
  });

  it('reads numeric strings of old rows, exponent included', () => {
    expect(money('1e3')).toBe('1000');
    expect(money('2.5E-3')).toBe('0.0025');
    expect(money('+7')).toBe('7');
    expect(money('.5')).toBe('0.5');
    expect(money('007.250')).toBe('7.25');
  });

  it('trims surrounding whitespace of a numeric string (the number itself is unambiguous)', () => {
    expect(money('  12.5 ')).toBe('12.5');
  });

  it('has no negative zero', () => {
    expect(money('-0.00')).toBe('0');
    expect(money(-0)).toBe('0');
    expect(money(Decimal128.fromString('-0'))).toBe('0');
  });

  it('reads integer wrappers', () => {
    expect(money(new Int32(42))).toBe('42');
    expect(money(Long.fromString('9007199254740993'))).toBe('9007199254740993');
  });

  it('refuses what is not a decimal at all', () => {
    for (const value of ['', ' ', '.', '-', '12,5', '0x10', '1e', 'abc', '1.2.3', true, {}, [], new Date()]) {
      expect(refused(value)).toMatch(/not a finite decimal/);
    }
  });

  it('absent and null: required → missing_field, optional → NULL', () => {
    expect(money(undefined)).toMatchObject({ reject: 'missing_field' });
    expect(money(null)).toMatchObject({ reject: 'missing_field' });
    expect(optionalMoney(undefined, 'x')).toBeNull();
    expect(optionalMoney(null, 'x')).toBeNull();
    expect(optionalMoney('1', 'x')).toBe('1');
  });
});
