import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../../src/backfill/sql/isoTimestamp.js';

// The oracle is V8's own Date.prototype.toJSON: the fast formatter must spell every instant as it does.
describe('isoTimestamp', () => {
  it('spells the edges of months, leap days, eras and the four-digit years as toJSON does', () => {
    const instants = [
      0,
      -1,
      Date.UTC(1000, 0, 1),
      Date.UTC(1000, 0, 1) - 1,
      Date.UTC(1600, 1, 29, 23, 59, 59, 999),
      Date.UTC(1900, 1, 28, 12),
      Date.UTC(1900, 2, 1),
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29, 0, 0, 0, 1),
      Date.UTC(2024, 1, 29, 13, 7, 9, 45),
      Date.UTC(2100, 1, 28, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      Date.UTC(-1, 5, 15),
      8.64e15,
      -8.64e15,
    ];
    for (const ms of instants) expect(isoTimestamp(new Date(ms)), String(ms)).toBe(new Date(ms).toJSON());
  });

  it('is null for an invalid date, as toJSON is', () => {
    expect(isoTimestamp(new Date(Number.NaN))).toBeNull();
  });

  it('agrees with toJSON on 200,000 random instants from year -270,000 to +270,000', () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 200_000; i++) {
      // Mostly within 1000–9999 (the computed path), some far outside (the fallback).
      const span = i % 10 === 0 ? 8.64e15 : 2.5e14;
      const ms = Math.floor((next() * 2 - 1) * span);
      const date = new Date(ms);
      if (isoTimestamp(date) !== date.toJSON()) expect(isoTimestamp(date), String(ms)).toBe(date.toJSON());
    }
  });
});
