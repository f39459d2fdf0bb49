import type { Connection, Schema } from 'mongoose';
import { addressSchema } from './address.js';
import { categorySchema } from './category.js';
import { configSettingSchema } from './configSetting.js';
import { configSettingHistorySchema } from './configSettingHistory.js';
import { levelConfigSchema } from './levelConfig.js';
import { shopSettingsSchema } from './shopSettings.js';
import { userSchema } from './user.js';

export { USER_ROLES, USER_STATUSES } from './user.js';
export {
  addressSchema,
  categorySchema,
  configSettingHistorySchema,
  configSettingSchema,
  levelConfigSchema,
  shopSettingsSchema,
  userSchema,
};

/** A model compiled on `connection`, or the one already compiled there (registering twice throws). */
function bind<TSchema extends Schema>(connection: Connection, name: string, schema: TSchema) {
  return connection.models[name] !== undefined
    ? (connection.model(name) as ReturnType<typeof connection.model<TSchema>>)
    : connection.model(name, schema);
}

/**
 * The legacy models bound to one connection. No `mongoose.model()` at import time: tests and the
 * synthetic seeder each bring their own connection, and a global registry would leak between them.
 */
export function registerModels(connection: Connection) {
  return {
    User: bind(connection, 'User', userSchema),
    Address: bind(connection, 'Address', addressSchema),
    Category: bind(connection, 'Category', categorySchema),
    LevelConfig: bind(connection, 'LevelConfig', levelConfigSchema),
    ConfigSetting: bind(connection, 'ConfigSetting', configSettingSchema),
    ConfigSettingHistory: bind(connection, 'ConfigSettingHistory', configSettingHistorySchema),
    ShopSettings: bind(connection, 'ShopSettings', shopSettingsSchema),
  };
}

export type LegacyModels = ReturnType<typeof registerModels>;
