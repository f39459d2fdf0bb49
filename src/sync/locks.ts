import { EJSON } from 'bson';
import type pg from 'pg';

/**
 * Transaction-scoped advisory locks, one per (collection, `_id`), taken in a stable order so that two
 * syncs over overlapping ids queue instead of deadlocking. The key is the `_id` as canonical Extended
 * JSON, so a string `_id` and an ObjectId that spell the same hex are different documents, as in MongoDB.
 * `hashtextextended` maps it to the 64-bit lock space; a collision only makes two syncs wait for each
 * other, never lets two hold one document.
 */
export async function lockDocuments(
  client: pg.ClientBase,
  collection: string,
  ids: readonly unknown[],
): Promise<void> {
  await client.query(
    `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n`,
    [lockKeys(collection, ids)],
  );
}

/**
 * The same locks, SESSION-scoped: they outlive the transaction and hold until releaseHeldDocuments (or
 * the connection ends). The pg-mode seam takes them just before COMMIT, on keys its transaction already
 * holds (so at once), to keep every other sync of those documents out until its mirror has written
 * MongoDB (src/repositories/seam/pgFirst.ts).
 */
export async function holdDocuments(
  client: pg.ClientBase,
  collection: string,
  ids: readonly unknown[],
): Promise<void> {
  await client.query(
    `SELECT pg_advisory_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n`,
    [lockKeys(collection, ids)],
  );
}

/** Releases every session-scoped advisory lock the client holds (holdDocuments). */
export async function releaseHeldDocuments(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_unlock_all()');
}

function lockKeys(collection: string, ids: readonly unknown[]): string[] {
  const keys = [
    ...new Set(ids.map((id) => `${collection}|${EJSON.stringify({ v: id }, { relaxed: false })}`)),
  ];
  return keys.sort();
}
