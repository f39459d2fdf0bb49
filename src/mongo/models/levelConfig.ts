import { Schema } from 'mongoose';

export const levelConfigSchema = new Schema(
  {
    level: { type: Number, unique: true },
    name: String,
    minPoints: Number,
    feeDiscountBps: Number,
    benefits: [String],
  },
  { collection: 'levelconfigs', timestamps: true },
);
