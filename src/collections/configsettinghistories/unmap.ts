import { documentOf, idValue, mixed, refValue, type Unmapper } from '../unmapping.js';

/**
 * A config_setting_histories row → the configsettinghistories document. `settingId` is the setting's
 * `_id` as Mongo holds it (an ObjectId, or the key string of a pre-2024 setting: idValue of its legacy
 * id); `oldValue`/`newValue` are Mixed, kept verbatim (unmapping.ts mixed). No updatedAt: the collection
 * never had one, so the column is NULL and stays absent.
 */
export const unmapConfigSettingHistory: Unmapper = ({ legacyId, row }, legacyIdOf) =>
  documentOf(
    {
      _id: idValue(legacyId),
      settingId: refValue(row.settingId, legacyIdOf),
      key: row.key,
      oldValue: mixed(row.oldValue),
      newValue: mixed(row.newValue),
      changedBy: refValue(row.changedById, legacyIdOf),
      changedAt: row.changedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
