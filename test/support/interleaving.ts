import { formatScaled, readMoney } from './exactDecimal.js';

/** A seeded PRNG (mulberry32): the same seed gives the same interleaving plan. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `fn(0)` … `fn(n - 1)` started together. */
export const times = <T>(n: number, fn: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

/** MongoDB's stored money (Decimal128, or whatever a legacy document holds) as canonical decimal text. */
export const mongoDecimal = (value: unknown): string => {
  const reading = readMoney(value);
  if (!reading.ok) throw new Error(`not money: ${String(value)} (${reading.detail})`);
  return formatScaled(reading.scaled);
};
