import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/repositories/domain/common.js';
import type { IReviewRepo, Review } from '../../../src/repositories/domain/reviews.js';
import { MongoReviewRepo } from '../../../src/repositories/mongo/reviews.js';
import { DrizzleReviewRepo } from '../../../src/repositories/pg/reviews.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import { usePgRepos } from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

const COLLECTION = 'reviews';

/** A domain object without what each store allocates itself: its id (named instead) and timestamps. */
function comparable(review: Review, names: Map<string, string>): Record<string, unknown> {
  const { id, createdAt, updatedAt, ...rest } = review;
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt!.getTime()).toBeGreaterThanOrEqual(createdAt!.getTime());
  expect(Object.keys(review.toJSON()).sort()).toEqual(Object.keys(review).sort());
  return { ref: names.get(id) ?? `unknown ${id}`, ...rest };
}

describe('DrizzleReviewRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let repo: DrizzleReviewRepo;
  let mongoRepo: MongoReviewRepo;
  const mongo = usePgRepos(({ ctx, pool: opened }) => {
    pool = opened;
    mongoRepo = new MongoReviewRepo(ctx);
    repo = new DrizzleReviewRepo({ pool });
  });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const other = await mongo.newUser();
    const script = async (store: IReviewRepo) => {
      const names = new Map<string, string>();
      const out: [string, unknown][] = [];
      const keep = (name: string, review: Review | null) => {
        if (!review) return out.push([name, null]);
        if (!names.has(review.id)) names.set(review.id, name);
        return out.push([name, comparable(review, names)]);
      };
      const attempt = async (name: string, call: () => Promise<unknown>) => {
        try {
          out.push([name, await call()]);
        } catch (error) {
          out.push([name, (error as Error).name]);
        }
      };
      for (let i = 1; i <= 5; i++)
        keep(
          `r${i}`,
          await store.create({
            reviewerId: i === 3 ? other : buyer,
            revieweeId: seller,
            rating: i,
            ...(i % 2 ? { comment: `c${i}` } : {}),
          }),
        );
      keep(
        'about buyer',
        await store.create({ reviewerId: seller, revieweeId: buyer, rating: 4, comment: '' }),
      );
      await attempt('fraction', () => store.create({ reviewerId: buyer, revieweeId: seller, rating: 4.5 }));
      await attempt('zero', () => store.create({ reviewerId: buyer, revieweeId: seller, rating: 0 }));
      await attempt('six', () => store.create({ reviewerId: buyer, revieweeId: seller, rating: 6 }));
      for (const one of await store.listForReviewee(seller)) keep(`seller ${names.get(one.id)}`, one);
      for (const one of await store.listForReviewee(seller, { limit: 2, offset: 1 }))
        keep(`page ${names.get(one.id)}`, one);
      for (const one of await store.listForReviewee(seller, { limit: 0, offset: 3 }))
        keep(`rest ${names.get(one.id)}`, one);
      for (const one of await store.listForReviewee(buyer)) keep(`buyer ${names.get(one.id)}`, one);
      out.push(['nobody', await store.listForReviewee(new ObjectId().toHexString())]);
      const first = [...names.keys()][0]!;
      keep('find r1', await store.findById(first));
      keep('find unknown', await store.findById(new ObjectId().toHexString()));
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    expect(fromPostgres.filter(([name]) => String(name).startsWith('page')).map(([name]) => name)).toEqual([
      'page r4',
      'page r3',
    ]);
    expect(fromPostgres).toContainEqual(['fraction', 'DomainRuleError']);
  });

  it('notes the new document only; refuses unknown users and purchase requests; round trips exactly', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const { log, outcome } = await withWriteLog(() =>
      repo.create({ reviewerId: buyer, revieweeId: seller, rating: 5, comment: 'ok' }),
    );
    if (!outcome.ok) throw outcome.error;
    expect(log.documentsOf(COLLECTION)).toEqual([
      { collection: COLLECTION, id: new ObjectId(outcome.value.id), op: 'upsert' },
    ]);
    expect(log.size).toBe(1);
    const { rows } = await pool.query(
      `SELECT created_at, updated_at, source_updated_at, rating FROM reviews WHERE legacy_object_id = $1`,
      [outcome.value.id],
    );
    expect(rows).toEqual([
      {
        created_at: outcome.value.createdAt,
        updated_at: outcome.value.updatedAt,
        source_updated_at: outcome.value.updatedAt,
        rating: 5,
      },
    ]);
    for (const input of [
      { reviewerId: new ObjectId().toHexString(), revieweeId: seller, rating: 3 },
      { reviewerId: buyer, revieweeId: new ObjectId().toHexString(), rating: 3 },
      { reviewerId: buyer, revieweeId: seller, rating: 3, purchaseRequestId: new ObjectId().toHexString() },
    ]) {
      const refused = await withWriteLog(() => repo.create(input));
      expect(refused.outcome.ok).toBe(false);
      expect((refused.outcome as { error: unknown }).error).toBeInstanceOf(NotFoundError);
      expect(refused.log.size).toBe(0);
    }
    const { problems } = await roundTrip(pool, COLLECTION);
    expect(problems).toEqual([]);
  });

  it('20 concurrent creates for one reviewee all land, newest first', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        repo.create({ reviewerId: buyer, revieweeId: seller, rating: (i % 5) + 1 }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const listed = await repo.listForReviewee(seller);
    expect(listed).toHaveLength(20);
    expect(listed.map((r) => r.id)).toEqual(
      listed
        .map((r) => r.id)
        .sort()
        .reverse(),
    );
  });
});
