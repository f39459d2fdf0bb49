import type { ObjectId } from 'bson';
import type pg from 'pg';
import type { IdRange } from '../backfill/ranges.js';
import { tableShape } from '../backfill/sql/tableShape.js';
import type { CollectionSpec } from '../collections/spec.js';

/** A legacy id that spells an ObjectId; any other is a string `_id` (legacyIdOf). */
const OBJECT_ID_TEXT = '^[0-9a-f]{24}$';

/**
 * The legacy ids of every row (live or tombstone) whose `_id` falls in the range, so a row whose document
 * is gone is seen (`extra`). Only ObjectId and string `_id`s can have rows (legacyIdOf); lower-case hex
 * orders as ObjectIds do, and MongoDB orders strings byte-wise as `COLLATE "C"` does. Every other
 * bracket has no rows at all: its documents can only be rejects.
 */
export async function rowsInRange(
  client: pg.ClientBase,
  spec: CollectionSpec,
  range: IdRange,
): Promise<string[]> {
  if (range.type !== 'objectId' && range.type !== 'string') return [];
  const asText = (bound: unknown): string | null =>
    bound === null || bound === undefined
      ? null
      : range.type === 'objectId'
        ? (bound as ObjectId).toHexString().toLowerCase()
        : String(bound);
  const { rows } = await client.query<{ legacy_object_id: string }>(
    `SELECT legacy_object_id FROM ${tableShape(spec.table).quoted}
      WHERE legacy_object_id ${range.type === 'objectId' ? '~' : '!~'} '${OBJECT_ID_TEXT}'
        AND ($1::text IS NULL OR legacy_object_id COLLATE "C" >= $1)
        AND ($2::text IS NULL OR legacy_object_id COLLATE "C" < $2)`,
    [asText(range.lo), asText(range.hi)],
  );
  return rows.map((r) => r.legacy_object_id);
}
