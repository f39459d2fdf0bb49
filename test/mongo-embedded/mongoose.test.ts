import mongoose, { Schema, Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMongo, type TestMongo } from '../support/mongo.js';

describe('Mongoose model round trip', () => {
  let mongo: TestMongo;
  let conn: mongoose.Connection;

  beforeAll(async () => {
    mongo = await startTestMongo();
    conn = await mongoose.createConnection(mongo.url).asPromise();
  });

  afterAll(async () => {
    await conn?.close();
    await mongo?.stop();
  });

  const accountSchema = new Schema(
    {
      email: { type: String, required: true, unique: true },
      balance: { type: Schema.Types.Decimal128, default: () => Types.Decimal128.fromString('0') },
      points: { type: Number, default: 0 },
      tags: [String],
      profile: { displayName: String },
    },
    { timestamps: true },
  );

  it('creates indexes on init, saves, reads, updates and counts', async () => {
    const Account = conn.model('Account', accountSchema);
    await Account.init(); // autoIndex: createIndexes for the unique email index

    const indexes = await Account.collection.indexes();
    const email = indexes.find((i) => i.key.email === 1);
    expect(email?.unique).toBe(true);

    const created = await Account.create({
      email: 'a@x.io',
      balance: Types.Decimal128.fromString('10.10'),
      tags: ['x'],
      profile: { displayName: 'Ann' },
    });
    expect(created._id).toBeInstanceOf(Types.ObjectId);
    expect(created.createdAt).toBeInstanceOf(Date);

    const dup = await Account.create({ email: 'a@x.io' }).then(
      () => undefined,
      (e: { code?: number; keyValue?: unknown }) => e,
    );
    expect(dup?.code).toBe(11000);
    expect(dup?.keyValue).toEqual({ email: 'a@x.io' });

    const found = await Account.findOne({ email: 'a@x.io' }).lean();
    expect(found?.balance?.toString()).toBe('10.10');
    expect(found?.profile?.displayName).toBe('Ann');
    expect(found?.updatedAt).toBeInstanceOf(Date);

    const res = await Account.updateOne(
      { email: 'a@x.io' },
      { $inc: { balance: Types.Decimal128.fromString('0.05'), points: 3 }, $push: { tags: 'y' } },
    );
    expect(res.modifiedCount).toBe(1);
    const updated = await Account.findById(created._id);
    expect(updated?.balance?.toString()).toBe('10.15');
    expect(updated?.points).toBe(3);
    expect(updated?.tags).toEqual(['x', 'y']);
    expect(updated!.updatedAt!.getTime()).toBeGreaterThanOrEqual(created.updatedAt!.getTime());

    await Account.create({ email: 'b@x.io', points: 10 });
    expect(await Account.countDocuments()).toBe(2);
    expect(await Account.countDocuments({ points: { $gte: 5 } })).toBe(1);
    expect(await Account.estimatedDocumentCount()).toBe(2);

    const doc = await Account.findOneAndUpdate(
      { email: 'b@x.io' },
      { $set: { points: 11 } },
      { returnDocument: 'after' },
    );
    expect(doc?.points).toBe(11);
    const sorted = await Account.find().sort({ email: -1 }).select('email -_id').lean();
    expect(sorted).toEqual([{ email: 'b@x.io' }, { email: 'a@x.io' }]);
    await Account.deleteOne({ email: 'b@x.io' });
    expect(await Account.countDocuments()).toBe(1);
  });
});
