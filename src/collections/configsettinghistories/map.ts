import type { configSettingHistories } from '../../db/schema/index.js';
import {
  MapBuilder,
  mixedJson,
  optionalDate,
  optionalString,
  type MainRow,
  type Shape,
} from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const HISTORY_SHAPE: Shape = {
  settingId: true,
  key: true,
  oldValue: true,
  newValue: true,
  changedBy: true,
  changedAt: true,
};

/**
 * A configsettinghistories document → config_setting_histories row.
 *
 * `settingId` holds the setting's `_id` as it was: an ObjectId, or for a pre-2024 setting its key
 * string. The legacy id of a string-`_id` setting IS that string, so here (and only here) a string that
 * is not 24-hex is a valid legacy id to look up, not invalid_reference; a history whose setting is gone
 * is an orphan like any other.
 */
export function mapConfigSettingHistory(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const row: MainRow<typeof configSettingHistories> = {
    ...b.commonColumns(doc, HISTORY_SHAPE),
    settingId: b.requiredRef(doc.settingId, {
      field: 'settingId',
      parent: 'configsettings',
      stringIds: true,
    }),
    key: b.read(optionalString(doc.key, 'key')),
    oldValue: b.read(mixedJson(doc.oldValue, 'oldValue')),
    newValue: b.read(mixedJson(doc.newValue, 'newValue')),
    changedById: b.optionalRef(doc.changedBy, { field: 'changedBy', parent: 'users' }),
    changedAt: b.read(optionalDate(doc.changedAt, 'changedAt')),
  };
  return b.finish(row);
}
