import { describe, expect, it } from 'vitest';
import { MongoLevelConfigRepo } from '../../../src/repositories/mongo/levelConfigs.js';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import { useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoLevelConfigRepo: the level ladder, each write noted for the seam', () => {
  let repo: MongoLevelConfigRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    await ctx.models.LevelConfig.init(); // the unique level index that makes upsert race-safe
    repo = new MongoLevelConfigRepo(ctx);
  });

  it('upsert creates a level, then changes only the fields given', async () => {
    const { value: created, changed } = await expectNotedWrites(mongo.db, () =>
      repo.upsert(1, { name: 'Bronze', minPoints: 0, benefits: ['badge'] }),
    );
    expect(changed).toHaveLength(1);
    expect(created).toMatchObject({ level: 1, name: 'Bronze', minPoints: 0, benefits: ['badge'] });
    const { value: updated } = await expectNotedWrites(mongo.db, () =>
      repo.upsert(1, { feeDiscountBps: 25, name: undefined }),
    );
    expect(updated).toMatchObject({ id: created.id, level: 1, name: 'Bronze', feeDiscountBps: 25 });
    expect((await repo.findByLevel(1))?.feeDiscountBps).toBe(25);
    expect(await repo.findByLevel(99)).toBeNull();
    await expect(repo.upsert(1.5, {})).rejects.toBeInstanceOf(DomainRuleError);
  });

  it('concurrent upserts of a new level leave one document, every write noted', async () => {
    const { value } = await expectNotedWrites(mongo.db, () =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) => repo.upsert(7, { minPoints: 700, name: `Gold ${i}` })),
      ),
    );
    expect(new Set(value.map((c) => c.id)).size).toBe(1);
    expect(await mongo.db.collection('levelconfigs').countDocuments({ level: 7 })).toBe(1);
  });

  it('lists every level, lowest first, arrays never absent', async () => {
    await repo.upsert(3, { name: 'Silver' });
    await mongo.db.collection('levelconfigs').insertOne({ level: 2, name: 'legacy row without benefits' });
    const levels = await repo.list();
    expect(levels.map((l) => l.level)).toEqual([1, 2, 3, 7]);
    expect(levels.find((l) => l.level === 2)?.benefits).toEqual([]);
  });
});
