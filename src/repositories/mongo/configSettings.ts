import type { Document, Model } from 'mongoose';
import type { Id, Page } from '../domain/common.js';
import type { ConfigSetting, ConfigSettingChange, IConfigSettingRepo } from '../domain/configSettings.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { duplicateKeyFields } from './duplicateKey.js';
import { toDomain } from './toDomain.js';

const SETTINGS = 'configsettings';
const HISTORY = 'configsettinghistories';
const DEFAULT_LIMIT = 50;
/** Attempts before giving up on a key whose setting keeps appearing and vanishing under us. */
const ATTEMPTS = 3;

/**
 * Settings through Mongoose. A set writes two documents with no transaction to bind them (a standalone
 * MongoDB has none): the setting first, by an atomic update that hands back the value it replaced, then
 * the history row carrying that value, so concurrent sets leave a history whose changes chain exactly.
 * Both documents are noted before the first write. A setting's `_id` is used as stored: an ObjectId, or
 * the key string on pre-2024 rows.
 */
export class MongoConfigSettingRepo implements IConfigSettingRepo {
  constructor(private readonly ctx: MongoContext) {}

  async set(key: string, value: unknown, changedBy?: Id): Promise<ConfigSetting> {
    const { ConfigSetting, ConfigSettingHistory } = this.ctx.models;
    const newValue = value === undefined ? null : value;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      const changedAt = new Date();
      // The history row of this attempt, for the setting it changes or creates.
      const historyRow = (settingId: unknown) =>
        new ConfigSettingHistory({ settingId, key, newValue, changedBy, changedAt });
      const existing = await ConfigSetting.findOne({ key }, { _id: 1 }).lean();
      if (existing) {
        const change = historyRow(existing._id);
        noteWrite(SETTINGS, existing._id);
        noteWrite(HISTORY, change._id);
        // Timestamps by hand, so that the document returned is exactly the one written.
        const before = await ConfigSetting.findOneAndUpdate(
          { _id: existing._id, key },
          changedBy === undefined
            ? { $set: { value: newValue, updatedAt: changedAt }, $unset: { updatedBy: 1 } }
            : { $set: { value: newValue, updatedBy: changedBy, updatedAt: changedAt } },
          { returnDocument: 'before', timestamps: false },
        ).lean();
        if (!before) continue;
        change.set('oldValue', before.value);
        await insertKeepingEmptyObjects(ConfigSettingHistory, change);
        const { updatedBy: _previous, ...unchanged } = before;
        void _previous;
        return toDomain<ConfigSetting>({
          ...unchanged,
          value: newValue,
          ...(changedBy === undefined ? {} : { updatedBy: change.changedBy }),
          updatedAt: changedAt,
        });
      }
      const setting = new ConfigSetting({ key, value: newValue, updatedBy: changedBy });
      const change = historyRow(setting._id);
      noteWrite(SETTINGS, setting._id);
      noteWrite(HISTORY, change._id);
      try {
        await insertKeepingEmptyObjects(ConfigSetting, setting);
      } catch (error) {
        // A concurrent set created the key first: go round and change it instead.
        if (duplicateKeyFields(error)) continue;
        throw error;
      }
      await insertKeepingEmptyObjects(ConfigSettingHistory, change);
      return toDomain<ConfigSetting>(setting.toObject({ minimize: false }));
    }
    throw new Error(`${SETTINGS} ${key}: no stable setting after ${ATTEMPTS} attempts`);
  }

  async get(key: string): Promise<ConfigSetting | null> {
    const found = await this.ctx.models.ConfigSetting.findOne({ key }).lean();
    return found ? toDomain<ConfigSetting>(found) : null;
  }

  async list(): Promise<ConfigSetting[]> {
    const found = await this.ctx.models.ConfigSetting.find({}).sort({ key: 1 }).lean();
    return found.map((one) => toDomain<ConfigSetting>(one));
  }

  async history(key: string, page: Page = {}): Promise<ConfigSettingChange[]> {
    const found = await this.ctx.models.ConfigSettingHistory.find({ key })
      .sort({ changedAt: -1, _id: -1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map((one) => toDomain<ConfigSettingChange>(one));
  }
}

/**
 * Inserts a new document as `save()` would (cast, defaults, timestamps, `__v: 0`) but keeps empty
 * objects: `save()` drops them (the schema's `minimize`), so a value of `{}` would read back absent on a
 * new setting while an update (`$set`, never minimized) keeps it. A setting reads back as it was set.
 */
async function insertKeepingEmptyObjects<T>(model: Model<T>, document: Document): Promise<void> {
  if (model.schema.options.timestamps) {
    const now = new Date();
    document.set({ createdAt: now, updatedAt: now });
  }
  await model.collection.insertOne({ ...document.toObject({ minimize: false, depopulate: true }), __v: 0 });
}
