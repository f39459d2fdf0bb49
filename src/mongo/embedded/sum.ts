import { Double, Int32, Long } from 'bson';
import {
  addExact,
  divideExact,
  encodeDecimal128,
  exactFromDoubleFor128,
  finite,
  type Exact,
} from './decimal.js';
import { numKind, toDouble, toExact, type BsonNumber } from './numeric.js';

/**
 * $sum and $avg the way MongoDB computes them: non-numbers are ignored; integers are summed exactly and
 * stay int32 (or long on overflow); any double makes the result a double (compensated summation); any
 * Decimal128 makes the whole sum an exact decimal.
 */
export class Summer {
  private intTotal = 0n;
  private allInt32 = true;
  private doubleSum = 0;
  private doubleComp = 0;
  private sawDouble = false;
  private decimal: Exact | undefined;
  count = 0;

  add(v: unknown): void {
    const kind = numKind(v);
    if (kind === undefined) return;
    this.count++;
    if (kind === 'decimal') {
      this.decimal = this.decimal === undefined ? toExact(v) : addExact(this.decimal, toExact(v));
      return;
    }
    if (kind === 'double') {
      this.sawDouble = true;
      this.addDouble(toDouble(v));
      return;
    }
    if (kind === 'long') this.allInt32 = false;
    const ex = toExact(v);
    this.intTotal += ex.kind === 'finite' ? ex.coef : 0n;
  }

  /** Neumaier's compensated sum: close to MongoDB's double-double accumulation. */
  private addDouble(x: number): void {
    const t = this.doubleSum + x;
    if (Math.abs(this.doubleSum) >= Math.abs(x)) this.doubleComp += this.doubleSum - t + x;
    else this.doubleComp += x - t + this.doubleSum;
    this.doubleSum = t;
  }

  /** The sum as a decimal, folding in ints exactly and doubles rounded to 15 digits as MongoDB does. */
  private decimalTotal(): Exact {
    let total = addExact(this.decimal ?? finite(0n, 0), finite(this.intTotal, 0));
    if (this.sawDouble) total = addExact(total, exactFromDoubleFor128(this.doubleSum + this.doubleComp));
    return total;
  }

  sum(): BsonNumber {
    if (this.decimal !== undefined) return encodeDecimal128(this.decimalTotal());
    if (this.sawDouble) return new Double(this.doubleSum + this.doubleComp + Number(this.intTotal));
    if (this.allInt32 && this.intTotal >= -(2n ** 31n) && this.intTotal < 2n ** 31n) {
      return new Int32(Number(this.intTotal));
    }
    if (this.intTotal >= -(2n ** 63n) && this.intTotal < 2n ** 63n) return Long.fromBigInt(this.intTotal);
    return new Double(Number(this.intTotal));
  }

  avg(): BsonNumber | null {
    if (this.count === 0) return null;
    if (this.decimal !== undefined) {
      return encodeDecimal128(divideExact(this.decimalTotal(), finite(BigInt(this.count), 0)));
    }
    const total = this.sawDouble
      ? this.doubleSum + this.doubleComp + Number(this.intTotal)
      : Number(this.intTotal);
    return new Double(total / this.count);
  }
}

export function sumOf(values: Iterable<unknown>): BsonNumber {
  const s = new Summer();
  for (const v of values) s.add(v);
  return s.sum();
}

export function avgOf(values: Iterable<unknown>): BsonNumber | null {
  const s = new Summer();
  for (const v of values) s.add(v);
  return s.avg();
}
