import type pg from 'pg';
import { tableShape } from '../backfill/sql/tableShape.js';
import type { CollectionSpec } from '../collections/spec.js';
import type { LegacyId } from '../db/ids.js';

/**
 * One page of the legacy ids of a collection's main-table rows that Postgres changed at or after
 * `since`, in legacy-id order after `after` (keyset pagination: each page resumes where the last one
 * stopped, so a sweep walks the legacy-id index once however many pages it reads).
 *
 * "Changed" is what every write stamps on the main row: `source_read_at` (a pg-mode repository's
 * guardStamp, the forward sync's read instant) or `source_deleted_at` (a tombstone: retireRows stamps
 * it with the transaction's start, not source_read_at). A row REMOVED outright leaves nothing to find;
 * its mirror is the followMirror call and, failing that, its reverse gap.
 *
 * No index covers the two stamps (the legacy-id one is walked and filtered): on a table that changes
 * little this reads the whole index once per sweep, which is the price of the backstop.
 */
export async function changedLegacyIds(
  client: pg.Pool | pg.ClientBase,
  spec: CollectionSpec,
  page: { since: Date; after: LegacyId | null; limit: number },
): Promise<LegacyId[]> {
  const main = tableShape(spec.table).quoted;
  // '' sorts before every legacy id in any collation, and keeps the range open to the index.
  const { rows } = await client.query<{ id: LegacyId }>(
    `SELECT legacy_object_id AS id FROM ${main}
      WHERE legacy_object_id > $2
        AND (source_read_at >= $1 OR source_deleted_at >= $1)
      ORDER BY legacy_object_id
      LIMIT $3`,
    [page.since, page.after ?? '', page.limit],
  );
  return rows.map((r) => r.id);
}
