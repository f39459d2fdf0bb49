import type { LegacyDoc } from '../spec.js';
import { isObjectId } from './bsonValues.js';
import { isFieldReject, type Read } from './reject.js';
import { optionalDate } from './scalars.js';

/**
 * `createdAt`/`updatedAt` are copied as found: NULL on documents older than the timestamps plugin
 * (docs/data-policy.md "Timestamps").
 */
export function readTimestamps(doc: LegacyDoc): Read<{ createdAt: Date | null; updatedAt: Date | null }> {
  const createdAt = optionalDate(doc.createdAt, 'createdAt');
  if (isFieldReject(createdAt)) return createdAt;
  const updatedAt = optionalDate(doc.updatedAt, 'updatedAt');
  if (isFieldReject(updatedAt)) return updatedAt;
  return { createdAt, updatedAt };
}

/**
 * The document's version for the `source_updated_at` guard: `updatedAt ?? createdAt ?? ObjectId time`.
 * A timestamp of the wrong type is skipped (that document is rejected by its mapper anyway). Null only
 * for a string `_id` document without timestamps: the guard then cannot order its writes.
 */
export function versionOf(doc: LegacyDoc): Date | null {
  for (const value of [doc.updatedAt, doc.createdAt]) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  }
  return isObjectId(doc._id) ? doc._id.getTimestamp() : null;
}
