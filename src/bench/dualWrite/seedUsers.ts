import type { Db as MongoDb } from 'mongodb';
import { generateBatch } from '../../synthetic/batch.js';
import { createPlan, type SeedPlan } from '../../synthetic/plan.js';

const BATCH = 1_000;

/**
 * A synthetic plan with at least `users` users (the generator sizes collections from a total): the
 * users' documents, quirks included, are the same as in a full seed of that size.
 */
function planWithUsers(users: number, seed: number): SeedPlan {
  let docs = users * 8;
  for (;;) {
    const plan = createPlan({ docs, seed, quirkRate: 0.02 });
    if (plan.count('users') >= users) return plan;
    docs = Math.ceil((docs * users) / Math.max(1, plan.count('users'))) + 100;
  }
}

/**
 * Seeds `users` synthetic users, and the level configs they reference by value, into the source.
 * Returns the users' `_id`s in insertion order and the level configs' (their parents, synced first).
 */
export async function seedUsers(
  mongo: MongoDb,
  users: number,
  seed: number,
): Promise<{ userIds: unknown[]; levelConfigIds: unknown[] }> {
  const plan = planWithUsers(users, seed);
  const insert = async (collection: string, count: number): Promise<unknown[]> => {
    const ids: unknown[] = [];
    for (let from = 0; from < count; from += BATCH) {
      const { docs } = generateBatch(plan, collection, from, Math.min(count, from + BATCH));
      await mongo.collection(collection).insertMany(docs, { ordered: false });
      for (const doc of docs) ids.push(doc._id);
    }
    return ids;
  };
  const levelConfigIds = await insert('levelconfigs', plan.count('levelconfigs'));
  const userIds = await insert('users', users);
  return { userIds, levelConfigIds };
}
