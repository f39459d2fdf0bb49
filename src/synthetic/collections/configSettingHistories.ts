import type { CollectionGenerator } from '../generator.js';
import { dangling, MIGRATED } from '../quirks.js';
import { withUnknownFields } from './common.js';
import { mixedValue, settingId, settingKey } from './configSettings.js';

const NAME = 'configsettinghistories';
const SETTINGS = 'configsettings';

export const configSettingHistories: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_changed_by: dangling, // reference to a hard-deleted admin: FK NULL + anomaly
    missing_timestamps: MIGRATED, // createdAt absent (the collection never had updatedAt)
    unknown_field: MIGRATED,
  },
  indexes: [],
  window: (epoch) => ({ startMs: epoch.startMs + 86_400_000, endMs: epoch.endMs }),

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const changedMs = plan.timeOf(NAME, index);
    // A change to a setting that existed by then (settings are in time order), else the first one.
    let existing = 0;
    while (existing < plan.count(SETTINGS) && plan.timeOf(SETTINGS, existing) <= changedMs) existing++;
    const setting = rng.int(Math.max(1, existing));
    const users = plan.population.users;
    const changer = users[rng.int(users.length)] ?? 0;
    const doc = {
      _id: plan.idOf(NAME, index),
      // The setting's own _id: a string on pre-2024 settings, which is what production references hold.
      settingId: settingId(plan, setting),
      key: settingKey(setting),
      oldValue: mixedValue(rng),
      newValue: mixedValue(rng),
      changedBy:
        quirk === 'orphan_changed_by'
          ? plan.orphanIdFor(NAME, index, changedMs)
          : plan.idOf('users', changer),
      changedAt: new Date(changedMs),
      ...(quirk === 'missing_timestamps' ? {} : { createdAt: new Date(changedMs) }),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
