import { Decimal128, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import {
  diffAnswers,
  exactDecimalText,
  isShadowRead,
  normaliseAnswer,
} from '../../src/verify/shadow/index.js';

describe('shadow reads: what makes two answers the same', () => {
  it('spells an exact decimal one way, through the digits, never a float', () => {
    expect(exactDecimalText('12.500000')).toBe('12.5');
    expect(exactDecimalText('1.25E+1')).toBe('12.5');
    expect(exactDecimalText('-0.000')).toBe('0');
    expect(exactDecimalText('007')).toBe('7');
    expect(exactDecimalText('1E-3')).toBe('0.001');
    expect(exactDecimalText('123456789012345678901234.000000000000000001')).toBe(
      '123456789012345678901234.000000000000000001',
    );
    expect(exactDecimalText('abc')).toBeNull();
  });

  it('normalises money, dates, ids, key order, undefined and null fields; arrays keep their order', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const fromMongo = {
      id: 'a',
      amount: { value: Decimal128.fromString('12.50'), currency: 'USDT' },
      paid: { currency: 'EUR', value: 3 },
      owner: new ObjectId('0123456789abcdef01234567'),
      at,
      gone: undefined,
      empty: null,
      tags: ['b', null, 'a'],
      toJSON: () => ({}),
    };
    const fromPg = {
      tags: ['b', null, 'a'],
      at: at.toISOString(),
      owner: '0123456789abcdef01234567',
      paid: { value: '3.00', currency: 'EUR' },
      amount: { currency: 'USDT', value: '12.500000' },
      id: 'a',
    };
    expect(normaliseAnswer(fromMongo)).toEqual(normaliseAnswer(fromPg));
    expect(JSON.stringify(normaliseAnswer(fromMongo))).toBe(JSON.stringify(normaliseAnswer(fromPg)));
    expect(diffAnswers(normaliseAnswer(fromMongo), normaliseAnswer(fromPg))).toEqual([]);
  });

  it('names the differing paths, of an object and of a list’s elements', () => {
    const diff = diffAnswers(
      normaliseAnswer([{ id: 'a', profile: { city: 'Porto' } }, { id: 'b' }]),
      normaliseAnswer([{ id: 'a', profile: { city: 'Faro' } }]),
    );
    expect(diff.map((d) => d.field)).toEqual(['[0].profile.city', '[1]']);
    expect(diffAnswers(normaliseAnswer({ id: 'a' }), normaliseAnswer(null))).toEqual([
      { field: '(answer)', mongo: { id: 'a' }, pg: null },
    ]);
  });

  it('shadows only listed reads, never a write', () => {
    expect(isShadowRead('users', 'findById')).toBe(true);
    expect(isShadowRead('fundsledgerentries', 'balance')).toBe(true);
    expect(isShadowRead('users', 'incrementPoints')).toBe(false);
    expect(isShadowRead('configsettings', 'set')).toBe(false);
    expect(isShadowRead('nosuchcollection', 'findById')).toBe(false);
  });
});
