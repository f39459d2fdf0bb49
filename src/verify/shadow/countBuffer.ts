import type { ShadowCountRow } from './upsertCounts.js';

type Tally = { compared: number; mismatched: number; failed: number };

/**
 * Shadow-read counts accumulated in memory between flushes: a row update per read would put a write on
 * Postgres for every sampled read. Bounded by the number of (collection, read) pairs, not by traffic, so
 * counts that could not be flushed are simply merged back and go with the next flush.
 */
export class CountBuffer {
  #tallies = new Map<string, { collection: string; read: string } & Tally>();

  add(collection: string, read: string, kind: keyof Tally): void {
    const key = `${collection}\u0000${read}`;
    let tally = this.#tallies.get(key);
    if (!tally) {
      tally = { collection, read, compared: 0, mismatched: 0, failed: 0 };
      this.#tallies.set(key, tally);
    }
    tally[kind] += 1;
    // A mismatch was compared too: `compared` counts every read whose two answers were compared.
    if (kind === 'mismatched') tally.compared += 1;
  }

  /** Takes everything counted so far, leaving the buffer empty. */
  take(): ShadowCountRow[] {
    const rows = [...this.#tallies.values()];
    this.#tallies = new Map();
    return rows;
  }

  /** Puts back rows whose flush failed. */
  restore(rows: readonly ShadowCountRow[]): void {
    for (const row of rows) {
      const key = `${row.collection}\u0000${row.read}`;
      const tally = this.#tallies.get(key);
      if (!tally) this.#tallies.set(key, { ...row });
      else {
        tally.compared += row.compared;
        tally.mismatched += row.mismatched;
        tally.failed += row.failed;
      }
    }
  }
}
