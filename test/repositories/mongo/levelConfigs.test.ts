import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoContext } from '../../../src/repositories/mongo/context.js';
import { MongoLevelConfigRepo } from '../../../src/repositories/mongo/levelConfigs.js';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import { startTestMongo, type TestMongo } from '../../support/mongo.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoLevelConfigRepo: the level ladder, each write noted for the seam', () => {
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let db: Db;
  let repo: MongoLevelConfigRepo;

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    db = client.db(mongo.dbName);
    const ctx = mongoContext(connection);
    await ctx.models.LevelConfig.init(); // the unique level index that makes upsert race-safe
    repo = new MongoLevelConfigRepo(ctx);
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('upsert creates a level, then changes only the fields given', async () => {
    const { value: created, changed } = await expectNotedWrites(db, () =>
      repo.upsert(1, { name: 'Bronze', minPoints: 0, benefits: ['badge'] }),
    );
    expect(changed).toHaveLength(1);
    expect(created).toMatchObject({ level: 1, name: 'Bronze', minPoints: 0, benefits: ['badge'] });
    const { value: updated } = await expectNotedWrites(db, () =>
      repo.upsert(1, { feeDiscountBps: 25, name: undefined }),
    );
    expect(updated).toMatchObject({ id: created.id, level: 1, name: 'Bronze', feeDiscountBps: 25 });
    expect((await repo.findByLevel(1))?.feeDiscountBps).toBe(25);
    expect(await repo.findByLevel(99)).toBeNull();
    await expect(repo.upsert(1.5, {})).rejects.toBeInstanceOf(DomainRuleError);
  });

  it('concurrent upserts of a new level leave one document, every write noted', async () => {
    const { value } = await expectNotedWrites(db, () =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) => repo.upsert(7, { minPoints: 700, name: `Gold ${i}` })),
      ),
    );
    expect(new Set(value.map((c) => c.id)).size).toBe(1);
    expect(await db.collection('levelconfigs').countDocuments({ level: 7 })).toBe(1);
  });

  it('lists every level, lowest first, arrays never absent', async () => {
    await repo.upsert(3, { name: 'Silver' });
    await db.collection('levelconfigs').insertOne({ level: 2, name: 'legacy row without benefits' });
    const levels = await repo.list();
    expect(levels.map((l) => l.level)).toEqual([1, 2, 3, 7]);
    expect(levels.find((l) => l.level === 2)?.benefits).toEqual([]);
  });
});
