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
  const keys = [
    ...new Set(ids.map((id) => `${collection}|${EJSON.stringify({ v: id }, { relaxed: false })}`)),
  ];
  keys.sort();
  await client.query(
    `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n`,
    [keys],
  );
}
