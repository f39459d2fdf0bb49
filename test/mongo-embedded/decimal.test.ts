import { Decimal128, Double, Int32, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import {
  addExact,
  compareExact,
  decodeDecimal128,
  divideExact,
  encodeDecimal128,
  exactFromDouble,
  parseDecimalString,
} from '../../src/mongo/embedded/decimal.js';
import { addNumbers, compareNumbers, numberKey } from '../../src/mongo/embedded/numeric.js';

/** Unit tests of the exact arithmetic under the server (no MongoDB involved). */
const d = (s: string) => Decimal128.fromString(s);

describe('exact decimal arithmetic', () => {
  it('decodes and re-encodes Decimal128 bit-for-bit', () => {
    for (const s of [
      '0',
      '0.1',
      '100.0',
      '1.000E-15',
      '-123456789.123456789012345678',
      '9.999999999999999999999999999999999E+6144',
      '1E-6176',
      'NaN',
      'Infinity',
      '-Infinity',
    ]) {
      expect(encodeDecimal128(decodeDecimal128(d(s))).toString()).toBe(d(s).toString());
    }
  });

  it('adds with the IEEE exponent and rounds half-even to 34 digits', () => {
    const sum = addExact(parseDecimalString('0.1'), parseDecimalString('0.20'));
    expect(encodeDecimal128(sum).toString()).toBe('0.30');
    const big = addExact(parseDecimalString('1234567890123456789012345678901234'), parseDecimalString('0.5'));
    expect(encodeDecimal128(big).toString()).toBe('1234567890123456789012345678901234');
    const up = addExact(parseDecimalString('1234567890123456789012345678901235'), parseDecimalString('0.5'));
    expect(encodeDecimal128(up).toString()).toBe('1234567890123456789012345678901236');
  });

  it('divides exactly when it can and to 34 digits otherwise', () => {
    expect(
      encodeDecimal128(divideExact(parseDecimalString('300.0'), parseDecimalString('3'))).toString(),
    ).toBe('100.0');
    expect(encodeDecimal128(divideExact(parseDecimalString('1'), parseDecimalString('3'))).toString()).toBe(
      '0.3333333333333333333333333333333333',
    );
    expect(encodeDecimal128(divideExact(parseDecimalString('2'), parseDecimalString('3'))).toString()).toBe(
      '0.6666666666666666666666666666666667',
    );
  });

  it('converts doubles exactly and compares across numeric types', () => {
    expect(compareExact(exactFromDouble(0.1), parseDecimalString('0.1'))).toBe(1);
    expect(compareNumbers(new Double(0.5), d('0.50'))).toBe(0);
    expect(compareNumbers(Long.fromString('9007199254740993'), new Double(9007199254740992))).toBe(1);
    expect(compareNumbers(new Double(NaN), new Int32(-5))).toBe(-1);
    expect(numberKey(new Int32(100))).toBe(numberKey(d('100.00')));
    expect(numberKey(new Double(0.5))).toBe(numberKey(d('0.5')));
  });

  it('promotes types like MongoDB', () => {
    expect(addNumbers(new Int32(1), new Int32(2))).toEqual(new Int32(3));
    expect(addNumbers(new Int32(2147483647), new Int32(1))).toEqual(Long.fromNumber(2147483648));
    expect(addNumbers(new Int32(1), new Double(0.5))).toEqual(new Double(1.5));
    expect(addNumbers(new Int32(1), d('0.5')).toString()).toBe('1.5');
    expect(addNumbers(d('0.1'), new Double(0.1)).toString()).toBe('0.200000000000000');
  });
});
