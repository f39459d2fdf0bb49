import { Int32 } from 'bson';
import { isPlainObject, type Doc } from './bson-types.js';
import { compareValues, valueKey } from './compare.js';
import { badValue, notSupported } from './errors.js';
import { checkExpression, evaluate } from './expression.js';
import { Summer } from './sum.js';

/** $group accumulators. Each group gets fresh state per output field; $sum/$avg go through Summer (exact decimals). */
const ONE = new Int32(1);

export interface Accumulator {
  add(doc: Doc): void;
  result(): unknown;
}
export type AccumulatorFactory = () => Accumulator;

function minMax(expr: unknown, sign: 1 | -1): AccumulatorFactory {
  return () => {
    let best: unknown;
    return {
      add(doc) {
        const v = evaluate(expr, doc);
        if (v === null || v === undefined) return; // $min/$max ignore missing and null
        if (best === undefined || compareValues(v, best) * sign < 0) best = v;
      },
      result: () => best ?? null,
    };
  };
}

export function compileAccumulator(field: string, spec: unknown): AccumulatorFactory {
  if (!isPlainObject(spec)) throw badValue(`The field '${field}' must be an accumulator object`);
  const entries = Object.entries(spec);
  const [op, expr] = entries[0] ?? [];
  if (entries.length !== 1 || op === undefined)
    throw badValue(`The field '${field}' must specify one accumulator`);
  if (op !== '$count') checkExpression(expr);
  switch (op) {
    case '$sum':
    case '$avg':
      return () => {
        const s = new Summer();
        return {
          add: (doc) => s.add(evaluate(expr, doc)),
          result: () => (op === '$sum' ? s.sum() : s.avg()),
        };
      };
    case '$count':
      return () => {
        const s = new Summer();
        return { add: () => s.add(ONE), result: () => s.sum() };
      };
    case '$min':
      return minMax(expr, 1);
    case '$max':
      return minMax(expr, -1);
    case '$first':
    case '$last':
      return () => {
        let value: unknown;
        let seen = false;
        return {
          add(doc) {
            if (op === '$last' || !seen) value = evaluate(expr, doc);
            seen = true;
          },
          result: () => value ?? null,
        };
      };
    case '$push':
      return () => {
        const out: unknown[] = [];
        return {
          add(doc) {
            const v = evaluate(expr, doc);
            if (v !== undefined) out.push(v);
          },
          result: () => out,
        };
      };
    case '$addToSet':
      return () => {
        const out = new Map<string, unknown>();
        return {
          add(doc) {
            const v = evaluate(expr, doc);
            if (v !== undefined && !out.has(valueKey(v))) out.set(valueKey(v), v);
          },
          result: () => [...out.values()],
        };
      };
    default:
      throw notSupported(`accumulator ${op}`);
  }
}
