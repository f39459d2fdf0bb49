import { ObjectId } from 'bson';

/**
 * The `_id` a legacy id names when MongoDB no longer has the document (an `extra` row), for a re-sync:
 * 24 lower-case hex is an ObjectId, anything else a string `_id` (the encoding of legacyIdOf). A string
 * `_id` that spells 24 hex is read as an ObjectId; the backfill's departure check makes the same call.
 */
export function idOfLegacyId(legacyId: string): unknown {
  return /^[0-9a-f]{24}$/.test(legacyId) ? new ObjectId(legacyId) : legacyId;
}
