import { documentOf, idValue, mixed, refValue, type Unmapper } from '../unmapping.js';

/**
 * A config_settings row → the configsettings document. `_id` comes back as it was: the key string on a
 * pre-2024 setting (its legacy id), an ObjectId after. `value` is Mixed, kept verbatim (unmapping.ts mixed).
 */
export const unmapConfigSetting: Unmapper = ({ legacyId, row }, legacyIdOf) =>
  documentOf(
    {
      _id: idValue(legacyId),
      key: row.key,
      value: mixed(row.value),
      description: row.description,
      updatedBy: refValue(row.updatedById, legacyIdOf),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
