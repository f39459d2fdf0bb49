import { Schema, Types } from 'mongoose';

export const configSettingSchema = new Schema(
  {
    // An ObjectId on rows created since 2024, the key itself (a string) on older rows: hence Mixed, with
    // an ObjectId default so new rows keep getting one.
    _id: { type: Schema.Types.Mixed, default: () => new Types.ObjectId() },
    key: { type: String, unique: true },
    value: Schema.Types.Mixed, // any JSON
    description: String,
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { collection: 'configsettings', timestamps: true },
);
