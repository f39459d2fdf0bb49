import { Schema } from 'mongoose';

export const categorySchema = new Schema(
  {
    name: { type: String, required: true },
    nameEn: String,
    slug: { type: String, unique: true },
    // Mixed in the legacy model: an ObjectId → categories, or on a few rows a stray string (data errors).
    parentId: Schema.Types.Mixed,
    isActive: { type: Boolean, default: true },
    sortOrder: Number,
    deletedAt: Date, // soft delete
  },
  { collection: 'categories', timestamps: true },
);
