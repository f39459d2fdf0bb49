import type { configSettings } from '../../db/schema/index.js';
import {
  MapBuilder,
  mixedJson,
  optionalString,
  requiredString,
  type MainRow,
  type Shape,
} from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const CONFIG_SETTING_SHAPE: Shape = { key: true, value: true, description: true, updatedBy: true };

/**
 * A configsettings document → config_settings row. On a pre-2024 row the string `_id` IS the key
 * (legacy-schema.md), so such a row without a `key` field takes its `_id`; an ObjectId row without
 * `key` has no key at all: missing_field.
 */
export function mapConfigSetting(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const key = doc.key ?? (typeof doc._id === 'string' ? doc._id : undefined);
  const row: MainRow<typeof configSettings> = {
    ...b.commonColumns(doc, CONFIG_SETTING_SHAPE),
    key: b.read(requiredString(key, 'key')),
    value: b.read(mixedJson(doc.value, 'value')),
    description: b.read(optionalString(doc.description, 'description')),
    updatedById: b.optionalRef(doc.updatedBy, { field: 'updatedBy', parent: 'users' }),
  };
  return b.finish(row);
}
