import { Long } from 'bson';
import { CommandError } from './errors.js';

/**
 * Open cursors: each holds the snapshot its query produced (BSON buffers, shared with the store, never
 * copied) and hands it out in batches. Batches stop at the requested count or ~16 MiB, like mongod.
 * Idle cursors expire after 10 minutes, as on a real server.
 */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
export const DEFAULT_FIRST_BATCH = 101;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface Cursor {
  ns: string;
  docs: readonly Buffer[];
  pos: number;
  lastUsed: number;
  /** `noCursorTimeout`: kept until exhausted or killed. */
  immortal: boolean;
}

export interface Batch {
  id: Long;
  docs: Buffer[];
}

function takeBatch(docs: readonly Buffer[], from: number, count: number): Buffer[] {
  const out: Buffer[] = [];
  let bytes = 0;
  for (let i = from; i < docs.length && out.length < count; i++) {
    const d = docs[i] as Buffer;
    if (out.length > 0 && bytes + d.length > MAX_BATCH_BYTES) break;
    bytes += d.length;
    out.push(d);
  }
  return out;
}

export class CursorRegistry {
  private readonly cursors = new Map<string, Cursor>();
  private nextId = BigInt(Date.now()) * 1000n;
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.cursors.clear();
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [id, c] of this.cursors) if (!c.immortal && c.lastUsed < cutoff) this.cursors.delete(id);
  }

  /** First batch; registers a cursor only when documents remain and `singleBatch` is false. */
  open(
    ns: string,
    docs: readonly Buffer[],
    batchSize: number | undefined,
    singleBatch: boolean,
    noTimeout = false,
  ): Batch {
    const first = takeBatch(docs, 0, batchSize ?? DEFAULT_FIRST_BATCH);
    if (singleBatch || first.length >= docs.length) return { id: Long.ZERO, docs: first };
    const id = ++this.nextId;
    this.cursors.set(String(id), { ns, docs, pos: first.length, lastUsed: Date.now(), immortal: noTimeout });
    return { id: Long.fromBigInt(id), docs: first };
  }

  getMore(id: Long, ns: string, batchSize: number | undefined): Batch {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${key} not found`);
    if (cursor.ns !== ns) {
      throw new CommandError(
        'Unauthorized',
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`,
      );
    }
    const batch = takeBatch(cursor.docs, cursor.pos, batchSize && batchSize > 0 ? batchSize : Infinity);
    cursor.pos += batch.length;
    cursor.lastUsed = Date.now();
    if (cursor.pos >= cursor.docs.length) {
      this.cursors.delete(key);
      return { id: Long.ZERO, docs: batch };
    }
    return { id, docs: batch };
  }

  kill(id: Long): boolean {
    return this.cursors.delete(id.toString());
  }

  get size(): number {
    return this.cursors.size;
  }
}
