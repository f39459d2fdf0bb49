import { EJSON } from 'bson';
import type { Db as MongoDb, Document } from 'mongodb';
import type pg from 'pg';
import { inTransaction } from '../../src/backfill/runState.js';
import { legacyIdOf } from '../../src/collections/mapping/legacyId.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { readStoredDocuments } from '../../src/reverse/readStored.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Canonical Extended JSON (every BSON type explicit), object keys sorted, arrays in order; `__v` left out. */
export function canonicalDocument(doc: Document | null | undefined): string {
  if (!doc) return 'null';
  const { __v: ignored, ...rest } = doc;
  void ignored;
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : isPlainObject(value)
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, sorted(value[key])]),
          )
        : value;
  return JSON.stringify(sorted(EJSON.serialize(rest, { relaxed: false })));
}

/**
 * What MongoDB should hold for a document according to the rows: the spec's unmap of what Postgres
 * stores now, with the `_id` given; null when there is no live row.
 */
export async function expectedDocument(
  pool: pg.Pool,
  collection: string,
  id: unknown,
): Promise<Document | null> {
  const spec = REGISTRY.get(collection);
  return inTransaction(pool, async (client) => {
    const stored = await readStoredDocuments(client, spec, [legacyIdOf(id)]);
    const one = stored.documents.get(legacyIdOf(id));
    if (!one || one.tombstoned) return null;
    return { ...spec.unmap!(one, stored.legacyIdOf), _id: id };
  });
}

/** MongoDB's document and the rows' unmap, both canonical, for an equality assertion. */
export async function documentAndRows(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
  id: unknown,
): Promise<{ mongo: string; rows: string }> {
  const [doc, expected] = await Promise.all([
    mongo.collection(collection).findOne({ _id: id } as Document),
    expectedDocument(pool, collection, id),
  ]);
  return { mongo: canonicalDocument(doc), rows: canonicalDocument(expected) };
}

/** A small deterministic PRNG, so a failing interleaving can be replayed from its seed. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
