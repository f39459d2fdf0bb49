import { asLegacyId, type LegacyId } from '../../db/ids.js';
import { isObjectId } from './bsonValues.js';
import { describeValue } from './reject.js';

/** What a reference field holds, classified by the ids table of docs/data-policy.md. */
export type ReferenceValue =
  | { readonly kind: 'id'; readonly legacyId: LegacyId }
  | { readonly kind: 'absent' }
  | { readonly kind: 'invalid'; readonly found: string };

export interface ClassifyOptions {
  /**
   * The parent's `_id` may itself be a string (configsettings), so any non-empty string is that
   * parent's legacy id, not a malformed ObjectId. @defaultValue false
   */
  readonly stringIds?: boolean;
}

const HEX24 = /^[0-9a-f]{24}$/i;

export function classifyReference(value: unknown, options: ClassifyOptions = {}): ReferenceValue {
  if (value === undefined || value === null) return { kind: 'absent' };
  if (isObjectId(value)) return { kind: 'id', legacyId: asLegacyId(value.toHexString().toLowerCase()) };
  if (typeof value === 'string') {
    // A 24-hex string is the ObjectId it spells; legacy_object_id is always lower-case hex for those.
    if (HEX24.test(value)) return { kind: 'id', legacyId: asLegacyId(value.toLowerCase()) };
    if (options.stringIds && value.length > 0) return { kind: 'id', legacyId: asLegacyId(value) };
  }
  return { kind: 'invalid', found: describeValue(value) };
}
