import { describe, expect, it } from 'vitest';
import { MongoReviewRepo } from '../../../src/repositories/mongo/reviews.js';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoReviewRepo: reviews, each write noted for the seam', () => {
  let repo: MongoReviewRepo;
  const mongo = useMongoRepos(({ ctx }) => {
    repo = new MongoReviewRepo(ctx);
  });
  const buyer = hexId();
  const seller = hexId();

  it('creates a review with hex ids and finds it again', async () => {
    const purchaseRequestId = hexId();
    const { value: review, changed } = await expectNotedWrites(mongo.db, () =>
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
        expectNotedWrites(mongo.db, () => repo.create({ reviewerId: buyer, revieweeId: seller, rating })),
      ).rejects.toBeInstanceOf(DomainRuleError);
  });

  it("lists a reviewee's reviews newest first, by page", async () => {
    const other = hexId();
    const first = await repo.create({ reviewerId: buyer, revieweeId: other, rating: 3 });
    const second = await repo.create({ reviewerId: buyer, revieweeId: other, rating: 4 });
    await repo.create({ reviewerId: other, revieweeId: buyer, rating: 1 });
    expect((await repo.listForReviewee(other)).map((r) => r.id)).toEqual([second.id, first.id]);
    expect((await repo.listForReviewee(other, { offset: 1, limit: 1 })).map((r) => r.id)).toEqual([first.id]);
  });
});
