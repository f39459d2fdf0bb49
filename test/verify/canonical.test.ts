import { describe, expect, it } from 'vitest';
import { canonicalValue, normaliseDecimal } from '../../src/verify/canonical.js';
import { diffTuples } from '../../src/verify/diff.js';
import { formatScaled, toScaled } from '../../src/verify/money/exactSums.js';

describe('canonical values: the same text from the mapper and from Postgres', () => {
  it('numeric: padding dropped, the 18th decimal kept', () => {
    expect(normaliseDecimal('12.500000000000000000')).toBe('12.5');
    expect(normaliseDecimal('12.5')).toBe('12.5');
    expect(normaliseDecimal('-0.000000000000000001')).toBe('-0.000000000000000001');
    expect(normaliseDecimal('0.000000000000000000')).toBe('0');
    expect(canonicalValue('10', 'numeric')).toBe(canonicalValue('10.000000000000000000', 'numeric'));
    expect(canonicalValue('10.000000000000000001', 'numeric')).not.toBe(canonicalValue('10', 'numeric'));
  });

  it('timestamps as ISO milliseconds, json with sorted keys, NULL as null', () => {
    const at = new Date('2024-02-03T04:05:06.789Z');
    expect(canonicalValue(at, 'timestamp')).toBe('2024-02-03T04:05:06.789Z');
    expect(canonicalValue({ b: 1, a: [2, { d: 1, c: 2 }] }, 'json')).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
    expect(canonicalValue({ at }, 'json')).toBe('{"at":"2024-02-03T04:05:06.789Z"}');
    expect(canonicalValue(undefined, 'other')).toBeNull();
    expect(canonicalValue(null, 'json')).toBeNull();
  });
});

describe('diffTuples', () => {
  const tuple = (main: Record<string, string | null>, children: Record<string, string[]> = {}) => ({
    main,
    children,
  });

  it('equal tuples: no difference; child rows compared as a multiset', () => {
    expect(diffTuples(tuple({ a: '1' }, { t: ['x', 'y'] }), tuple({ a: '1' }, { t: ['x', 'y'] }))).toBeNull();
    expect(diffTuples(tuple({}, { t: ['x', 'x'] }), tuple({}, { t: ['x'] }))).toMatchObject({
      kind: 'child_rows',
      columns: ['t'],
      detail: { t: { mongo: '["x"]', pg: '[]' } },
    });
  });

  it('a main column difference is `changed`, listing child tables after the columns', () => {
    expect(diffTuples(tuple({ a: '1', b: '2' }, { t: ['x'] }), tuple({ a: '1', b: '3' }, { t: [] }))).toEqual(
      {
        kind: 'changed',
        columns: ['b', 't'],
        detail: { b: { mongo: '2', pg: '3' }, t: { mongo: '["x"]', pg: '[]' } },
      },
    );
  });
});

describe('exact sums', () => {
  it('adds 18-decimal money without a float', () => {
    const sum = toScaled('0.1') + toScaled('0.2') + toScaled('-0.000000000000000001');
    expect(formatScaled(sum)).toBe('0.299999999999999999');
    expect(formatScaled(toScaled('99999999999999999999.999999999999999999') * 2n)).toBe(
      '199999999999999999999.999999999999999998',
    );
    expect(() => toScaled('1e-7')).toThrow(RangeError);
  });
});
