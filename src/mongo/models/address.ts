import { Schema } from 'mongoose';

export const addressSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    label: String,
    fullName: String,
    phone: String,
    line1: String,
    line2: String,
    city: String,
    region: String,
    postalCode: String,
    country: String, // ISO-3166 alpha-2, never validated
    primary: { type: Boolean, default: false },
  },
  { collection: 'addresses', timestamps: true },
);

/**
 * At most one primary address per user, the legacy way: saving a primary unsets the user's others. Not
 * atomic (two concurrent saves can both stay primary), which is why Postgres gets a partial unique index.
 */
addressSchema.pre('save', async function unsetOtherPrimaries() {
  if (!this.primary) return;
  const Address = this.$model();
  await Address.updateMany(
    { userId: this.userId, _id: { $ne: this._id }, primary: true },
    { $set: { primary: false } },
  );
});
