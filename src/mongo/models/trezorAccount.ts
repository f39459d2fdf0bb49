import { Schema } from 'mongoose';

const trezorAddressSchema = new Schema({
  index: Number,
  address: String,
  destinationId: { type: Schema.Types.ObjectId, ref: 'DerivedDestination' },
  createdAt: Date,
});

export const trezorAccountSchema = new Schema(
  {
    label: String,
    chain: String, // free text here, unlike deriveddestinations.chain
    xpub: { type: String, unique: true },
    derivationPath: String,
    nextIndex: Number,
    addresses: [trezorAddressSchema],
  },
  { collection: 'trezoraccounts', timestamps: true },
);
