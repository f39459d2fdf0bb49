import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoPointTransactionRepo } from '../../../src/repositories/mongo/pointTransactions.js';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoPointTransactionRepo: an append-only points journal', () => {
  let repo: MongoPointTransactionRepo;
  const mongo = useMongoRepos(({ ctx }) => {
    repo = new MongoPointTransactionRepo(ctx);
  });

  it('records a movement with the balance the caller gives, its reference as stored', async () => {
    const userId = hexId();
    const reviewId = hexId();
    const { value, changed } = await expectNotedWrites(mongo.db, () =>
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
    const raw = await mongo.db.collection('pointtransactions').findOne({ _id: new ObjectId(value.id) });
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
    const userId = hexId();
    await expect(
      repo.record({ userId, type: 'earn', points: 12.5, balanceAfter: 12 }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    await expect(
      repo.record({ userId, type: 'spend', points: -1, balanceAfter: Number.NaN }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect(await repo.listByUser(userId)).toEqual([]);
  });

  it('lists a user newest first, a page at a time', async () => {
    const userId = hexId();
    let balance = 0;
    for (const points of [5, 10, -3, 7]) {
      balance += points;
      await repo.record({ userId, type: points < 0 ? 'spend' : 'earn', points, balanceAfter: balance });
    }
    expect((await repo.listByUser(userId, { limit: 2 })).map((t) => t.balanceAfter)).toEqual([19, 12]);
    expect((await repo.listByUser(userId, { offset: 2 })).map((t) => t.balanceAfter)).toEqual([15, 5]);
  });
});
