import type { DomainObject, Id, Page } from './common.js';

/**
 * One runtime setting. Its `id` is the 24-hex ObjectId, or on settings created before 2024 the key
 * itself (their `_id` was the key string).
 */
export interface ConfigSetting extends DomainObject {
  /** Unique. */
  key: string;
  /** Any JSON. */
  value: unknown;
  description?: string;
  /** Who made the last change, when known. */
  updatedBy?: Id;
}

/** One change of a setting: an append-only audit row, timed by `changedAt` (it has no updatedAt). */
export interface ConfigSettingChange extends DomainObject {
  /** The setting's id, as ConfigSetting.id spells it. */
  settingId: Id;
  key: string;
  /** Absent on the change that created the setting. */
  oldValue?: unknown;
  newValue: unknown;
  changedBy?: Id;
  changedAt: Date;
}

/** Runtime settings and their change history. */
export interface IConfigSettingRepo {
  /**
   * Sets `key` to `value` (creating the setting on first use) and appends the change to its history,
   * whose `oldValue` is the value this write replaced, even under concurrent sets.
   */
  set(key: string, value: unknown, changedBy?: Id): Promise<ConfigSetting>;
  get(key: string): Promise<ConfigSetting | null>;
  /** Every setting, by key. */
  list(): Promise<ConfigSetting[]>;
  /** The changes of `key`, newest first. @defaultValue limit 50 */
  history(key: string, page?: Page): Promise<ConfigSettingChange[]>;
}
