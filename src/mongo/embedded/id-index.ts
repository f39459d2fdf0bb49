import { MaxKey, MinKey } from 'bson';
import { typeRank } from './bson-types.js';
import { compareRecords, compareRecordToValue, type DocRecord } from './record.js';

/**
 * The `_id` index: a Map for equality (its insertion order doubles as natural order) and an array kept in
 * MongoDB's _id order for ranges, searched by bisection. Appends in increasing order (ObjectIds from one
 * client) stay O(1); out-of-order inserts wait in `pending` and are merged in when a range is next read,
 * and deletions leave tombstones that the merge drops, so reading N ranges costs O(N log n), not O(N·n).
 */
export interface Bound {
  value: unknown;
  inclusive: boolean;
}

/** MinKey/MaxKey bounds are not type-bracketed: {$gt: MinKey} means "everything". */
const isKeyBound = (rank: number): boolean =>
  rank === typeRank(new MinKey()) || rank === typeRank(new MaxKey());

export class IdIndex {
  private readonly byKey = new Map<string, DocRecord>();
  private sorted: DocRecord[] = [];
  private pending: DocRecord[] = [];
  private tombstones = 0;

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): DocRecord | undefined {
    return this.byKey.get(key);
  }

  /** Natural (insertion) order. */
  records(): IterableIterator<DocRecord> {
    return this.byKey.values();
  }

  insert(rec: DocRecord): void {
    this.byKey.set(rec.key, rec);
    const last = this.sorted[this.sorted.length - 1];
    if (this.pending.length === 0 && (last === undefined || compareRecords(last, rec) < 0))
      this.sorted.push(rec);
    else this.pending.push(rec);
  }

  remove(rec: DocRecord): void {
    if (this.byKey.get(rec.key) !== rec) return;
    this.byKey.delete(rec.key);
    rec.deleted = true;
    this.tombstones++;
  }

  clear(): void {
    this.byKey.clear();
    this.sorted = [];
    this.pending = [];
    this.tombstones = 0;
  }

  /** All records in _id order; may contain deleted records, which callers skip. */
  ordered(): readonly DocRecord[] {
    if (this.pending.length > 0) this.merge();
    else if (this.tombstones > 1024 && this.tombstones * 4 > this.sorted.length) this.compact();
    return this.sorted;
  }

  private compact(): void {
    this.sorted = this.sorted.filter((r) => !r.deleted);
    this.tombstones = 0;
  }

  private merge(): void {
    const add = this.pending.filter((r) => !r.deleted).sort(compareRecords);
    this.pending = [];
    const out: DocRecord[] = [];
    let i = 0;
    let j = 0;
    const base = this.sorted;
    while (i < base.length || j < add.length) {
      const a = base[i];
      if (a !== undefined && a.deleted) {
        i++;
        continue;
      }
      const b = add[j];
      if (b === undefined || (a !== undefined && compareRecords(a, b) <= 0)) {
        out.push(a as DocRecord);
        i++;
      } else {
        out.push(b);
        j++;
      }
    }
    this.sorted = out;
    this.tombstones = 0;
  }

  /** After `ordered()`: true when the array holds no deleted records, so positions count documents. */
  get dense(): boolean {
    return this.pending.length === 0 && this.tombstones === 0;
  }

  /** First index in `ordered()` for which `pred` holds, `pred` being false then true along the array. */
  private bisect(pred: (r: DocRecord) => boolean): number {
    const arr = this.sorted;
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(arr[mid] as DocRecord)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * [start, end) positions in `ordered()` for lo..hi. A missing side is bounded by the other side's type
   * (MongoDB's type bracketing: {_id: {$gt: ObjectId}} never returns string ids).
   */
  range(lo: Bound | undefined, hi: Bound | undefined, rankOf: (v: unknown) => number): [number, number] {
    this.ordered();
    let start = 0;
    let end = this.sorted.length;
    if (lo)
      start = this.bisect((r) =>
        lo.inclusive ? compareRecordToValue(r, lo.value) >= 0 : compareRecordToValue(r, lo.value) > 0,
      );
    else if (hi && !isKeyBound(rankOf(hi.value))) {
      const rank = rankOf(hi.value);
      start = this.bisect((r) => r.rank >= rank);
    }
    if (hi)
      end = this.bisect((r) =>
        hi.inclusive ? compareRecordToValue(r, hi.value) > 0 : compareRecordToValue(r, hi.value) >= 0,
      );
    else if (lo && !isKeyBound(rankOf(lo.value))) {
      const rank = rankOf(lo.value);
      end = this.bisect((r) => r.rank > rank);
    }
    return [start, Math.max(start, end)];
  }
}
