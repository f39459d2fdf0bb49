import { AsyncLocalStorage } from 'node:async_hooks';
import type { GapOp } from '../../gaps/sql/upsertOpenGap.js';

/** One document a repository call wrote (or tried to write) in MongoDB. */
export interface WrittenDocument {
  collection: string;
  /** The `_id` exactly as MongoDB holds it (ObjectId, string…): the sync reads it back by this value. */
  id: unknown;
  op: GapOp;
}

/**
 * The documents one repository call wrote, grouped by collection, each once. The dual-write seam
 * (./dualWrite.ts) brings exactly these into Postgres after the call.
 */
export class WriteLog {
  readonly #byCollection = new Map<string, Map<string, WrittenDocument>>();

  add(document: WrittenDocument): void {
    let ofCollection = this.#byCollection.get(document.collection);
    if (!ofCollection) this.#byCollection.set(document.collection, (ofCollection = new Map()));
    // Keyed by type and value: a 24-hex string `_id` and the ObjectId with the same hex are two documents.
    const key = `${typeof document.id === 'object' ? 'o' : 's'}:${String(document.id)}`;
    const previous = ofCollection.get(key);
    // A delete after an upsert of the same document in one call is a delete (and the reverse an upsert).
    if (!previous || previous.op !== document.op) ofCollection.set(key, document);
  }

  get collections(): string[] {
    return [...this.#byCollection.keys()];
  }

  documentsOf(collection: string): WrittenDocument[] {
    return [...(this.#byCollection.get(collection)?.values() ?? [])];
  }

  /** Every document noted so far, and forgets them (the pg-mode seam mirrors per committed transaction). */
  take(): WrittenDocument[] {
    const documents = [...this.#byCollection.values()].flatMap((ofCollection) => [...ofCollection.values()]);
    this.#byCollection.clear();
    return documents;
  }

  get size(): number {
    let size = 0;
    for (const ofCollection of this.#byCollection.values()) size += ofCollection.size;
    return size;
  }
}

const current = new AsyncLocalStorage<WriteLog>();

/**
 * Tells the seam that the running repository call is about to write this document in MongoDB. Call it
 * BEFORE the write: a write whose outcome is unknown (a timeout, a dropped connection) may still have
 * landed, and syncing a document that did not change is harmless, while missing one that did is a
 * silent divergence. Outside a dual-write call (mongo mode, tests of the Mongo repositories alone) it
 * does nothing.
 */
export function noteWrite(collection: string, id: unknown, op: GapOp = 'upsert'): void {
  current.getStore()?.add({ collection, id, op });
}

/**
 * Runs `call` with a fresh write log, and returns the log even when the call throws: a call that wrote
 * two documents and then failed on the third still changed MongoDB, and Postgres must follow it.
 */
export async function withWriteLog<T>(
  call: () => Promise<T>,
  log = new WriteLog(),
): Promise<{ log: WriteLog; outcome: { ok: true; value: T } | { ok: false; error: unknown } }> {
  try {
    const value = await current.run(log, call);
    return { log, outcome: { ok: true, value } };
  } catch (error) {
    return { log, outcome: { ok: false, error } };
  }
}
