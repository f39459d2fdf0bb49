import { EJSON, type Document } from 'bson';
import type { LegacyDoc } from '../spec.js';
import { documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/**
 * A Mixed field's jsonb (relaxed EJSON, mapping/extra.ts mixedJson) → the value Mongo held: plain JSON
 * as is, `$`-wrapped BSON values (`{"$oid": …}`, `{"$date": …}`, `{"$numberDecimal": …}`) as the BSON
 * types again; numbers as JS numbers, as the driver reads Int32/Double. SQL NULL → undefined (absent).
 */
export function mixedValueOf(json: unknown): unknown {
  return json === null || json === undefined
    ? undefined
    : EJSON.deserialize(json as Document, { relaxed: true });
}

/**
 * Sets Mixed fields on a document built by documentOf, which would compact them: a Mixed value is data
 * as a whole (`{ note: null }` and `{}` are values the jsonb column holds), so only SQL NULL is dropped.
 */
export function withMixed(doc: LegacyDoc, mixed: Record<string, unknown>): LegacyDoc {
  for (const [key, json] of Object.entries(mixed)) {
    const value = mixedValueOf(json);
    if (value !== undefined) doc[key] = value;
  }
  return doc;
}

/**
 * A config_settings row → the configsettings document. `_id` comes back as it was: the key string on a
 * pre-2024 setting (its legacy id), an ObjectId after. `value` is Mixed (withMixed).
 */
export const unmapConfigSetting: Unmapper = ({ legacyId, row }, legacyIdOf) =>
  withMixed(
    documentOf(
      {
        _id: idValue(legacyId),
        key: row.key,
        description: row.description,
        updatedBy: refValue(row.updatedById, legacyIdOf),
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      },
      row.legacyExtra,
    ),
    { value: row.value },
  );
