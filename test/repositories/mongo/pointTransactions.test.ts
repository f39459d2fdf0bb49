import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoContext } from '../../../src/repositories/mongo/context.js';
import { MongoPointTransactionRepo } from '../../../src/repositories/mongo/pointTransactions.js';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import { startTestMongo, type TestMongo } from '../../support/mongo.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoPointTransactionRepo: an append-only points journal', () => {
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let db: Db;
  let repo: MongoPointTransactionRepo;

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    db = client.db(mongo.dbName);
    repo = new MongoPointTransactionRepo(mongoContext(connection));
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('records a movement with the balance the caller gives, its reference as stored', async () => {
    const userId = new ObjectId().toHexString();
    const reviewId = new ObjectId().toHexString();
    const { value, changed } = await expectNotedWrites(db, () =>
      repo.record({
        userId,
        type: 'earn',
        points: 25,
        balanceAfter: 125,
        referenceType: 'review',
        referenceId: reviewId,
      }),
    );
    expect(changed).toHaveLength(1);
    expect(value).toMatchObject({
      userId,
      type: 'earn',
      points: 25,
      balanceAfter: 125,
      referenceId: reviewId,
    });
    const raw = await db.collection('pointtransactions').findOne({ _id: new ObjectId(value.id) });
    expect(raw?.referenceId?._bsontype).toBe('ObjectId');
    expect(raw).not.toHaveProperty('updatedAt');
    const referral = await repo.record({
      userId,
      type: 'referral_bonus',
      points: 10,
      balanceAfter: 135,
      referenceType: 'telegram',
      referenceId: 'tg:42',
    });
    expect(referral.referenceId).toBe('tg:42');
    expect((await repo.findById(referral.id))?.points).toBe(10);
  });

  it('refuses points that are not integers, and writes nothing', async () => {
    const userId = new ObjectId().toHexString();
    await expect(
      repo.record({ userId, type: 'earn', points: 12.5, balanceAfter: 12 }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    await expect(
      repo.record({ userId, type: 'spend', points: -1, balanceAfter: Number.NaN }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect(await repo.listByUser(userId)).toEqual([]);
  });

  it('lists a user newest first, a page at a time', async () => {
    const userId = new ObjectId().toHexString();
    let balance = 0;
    for (const points of [5, 10, -3, 7]) {
      balance += points;
      await repo.record({ userId, type: points < 0 ? 'spend' : 'earn', points, balanceAfter: balance });
    }
    expect((await repo.listByUser(userId, { limit: 2 })).map((t) => t.balanceAfter)).toEqual([19, 12]);
    expect((await repo.listByUser(userId, { offset: 2 })).map((t) => t.balanceAfter)).toEqual([15, 5]);
  });
});
