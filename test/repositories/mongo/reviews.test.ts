import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoContext } from '../../../src/repositories/mongo/context.js';
import { MongoReviewRepo } from '../../../src/repositories/mongo/reviews.js';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import { startTestMongo, type TestMongo } from '../../support/mongo.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoReviewRepo: reviews, each write noted for the seam', () => {
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let db: Db;
  let repo: MongoReviewRepo;
  const buyer = new ObjectId().toHexString();
  const seller = new ObjectId().toHexString();

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    db = client.db(mongo.dbName);
    repo = new MongoReviewRepo(mongoContext(connection));
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('creates a review with hex ids and finds it again', async () => {
    const purchaseRequestId = new ObjectId().toHexString();
    const { value: review, changed } = await expectNotedWrites(db, () =>
      repo.create({
        reviewerId: buyer,
        revieweeId: seller,
        purchaseRequestId,
        rating: 5,
        comment: 'great 👍',
      }),
    );
    expect(changed).toHaveLength(1);
    expect(review).toMatchObject({ reviewerId: buyer, revieweeId: seller, purchaseRequestId, rating: 5 });
    expect(review.id).toMatch(/^[0-9a-f]{24}$/);
    expect(await repo.findById(review.id)).toMatchObject({ id: review.id, comment: 'great 👍' });
    expect(JSON.parse(JSON.stringify(review))).not.toHaveProperty('__v');
  });

  it('refuses a rating that is not an integer from 1 to 5, writing nothing', async () => {
    for (const rating of [0, 6, 4.5, Number.NaN])
      await expect(
        expectNotedWrites(db, () => repo.create({ reviewerId: buyer, revieweeId: seller, rating })),
      ).rejects.toBeInstanceOf(DomainRuleError);
  });

  it("lists a reviewee's reviews newest first, by page", async () => {
    const other = new ObjectId().toHexString();
    const first = await repo.create({ reviewerId: buyer, revieweeId: other, rating: 3 });
    const second = await repo.create({ reviewerId: buyer, revieweeId: other, rating: 4 });
    await repo.create({ reviewerId: other, revieweeId: buyer, rating: 1 });
    expect((await repo.listForReviewee(other)).map((r) => r.id)).toEqual([second.id, first.id]);
    expect((await repo.listForReviewee(other, { offset: 1, limit: 1 })).map((r) => r.id)).toEqual([first.id]);
  });
});
