import { describe, expect, it } from 'vitest';
import { serverError, useMongo } from './harness.js';

describe('collections and databases', () => {
  const h = useMongo();

  it('creates collections explicitly and implicitly, lists them by name, drops them', async () => {
    const db = h().db;
    await db.createCollection('explicit');
    const exists = await serverError(() => db.command({ create: 'explicit' }));
    expect(exists.code).toBe(48);
    await db.collection('implicit').insertOne({ a: 1 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['explicit', 'implicit']);
    const one = await db.listCollections({ name: 'implicit' }).toArray();
    expect(one).toHaveLength(1);
    expect(one[0]?.type).toBe('collection');
    expect(await db.collection('implicit').drop()).toBe(true);
    expect((await db.listCollections().toArray()).map((c) => c.name)).toEqual(['explicit']);
  });

  it('reports collStats counts and drops the whole database', async () => {
    const db = h().db;
    await db.collection('stats').insertMany([{ a: 1 }, { a: 2 }]);
    const stats = await db.command({ collStats: 'stats' });
    expect(stats.count).toBe(2);
    await db.dropDatabase();
    expect(await db.listCollections().toArray()).toEqual([]);
    expect(await db.collection('stats').countDocuments()).toBe(0);
  });
});
