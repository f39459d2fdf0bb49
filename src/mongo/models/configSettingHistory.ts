import { Schema } from 'mongoose';

/** Append-only: `changedAt` is its time, so no Mongoose timestamps (and never an updatedAt). */
export const configSettingHistorySchema = new Schema(
  {
    settingId: Schema.Types.Mixed, // the setting's `_id` as is: an ObjectId or a pre-2024 key string
    key: String,
    oldValue: Schema.Types.Mixed,
    newValue: Schema.Types.Mixed,
    changedBy: { type: Schema.Types.ObjectId, ref: 'User' },
    changedAt: { type: Date, default: Date.now },
  },
  { collection: 'configsettinghistories', timestamps: false },
);
