import { Schema } from 'mongoose';

export const shopSettingsSchema = new Schema(
  {
    sellerId: { type: Schema.Types.ObjectId, ref: 'User', unique: true },
    shopName: String,
    description: String,
    logoUrl: String,
    isOpen: Boolean,
    autoAcceptOffers: Boolean,
    payoutAddress: String,
  },
  { collection: 'shopsettings', timestamps: true },
);
