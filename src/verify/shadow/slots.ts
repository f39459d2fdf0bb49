/**
 * A fixed number of Postgres reads in flight for shadow reads. A sampled read that finds no free slot is
 * dropped (and counted `skipped`) rather than queued: a slow Postgres must shed shadow work, never pile it
 * up in memory or take the callers' connections. Rechecks, few and worth keeping, wait for a slot instead.
 */
export class Slots {
  #free: number;
  #waiting: ((granted: boolean) => void)[] = [];
  #closed = false;

  constructor(size: number) {
    this.#free = size;
  }

  /** A slot now, or false. */
  tryAcquire(): boolean {
    if (this.#closed || this.#free === 0) return false;
    this.#free -= 1;
    return true;
  }

  /** A slot when one frees up; false once closed. */
  acquire(): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next && !this.#closed) next(true);
    else this.#free += 1;
  }

  /** Refuses every later request and answers false to those waiting. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter(false);
  }
}
