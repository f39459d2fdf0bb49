import { asLegacyId, type LegacyId } from '../../db/ids.js';
import { describeValue } from './reject.js';
import { isObjectId } from './bsonValues.js';

/**
 * A document's `_id` as `legacy_object_id` (docs/data-policy.md): 24 lower-case hex for an ObjectId,
 * the string itself for a string `_id` (configsettings before 2024).
 *
 * Throws for any other `_id` type: no collection of legacy-schema.md has one, and a document that cannot
 * even be named cannot be given an id_map row or a reject row, so it must stop the chunk loudly.
 */
export function legacyIdOf(id: unknown): LegacyId {
  if (isObjectId(id)) return asLegacyId(id.toHexString().toLowerCase());
  if (typeof id === 'string' && id.length > 0) return asLegacyId(id);
  throw new TypeError(`unsupported _id (${describeValue(id)}): expected an ObjectId or a non-empty string`);
}
