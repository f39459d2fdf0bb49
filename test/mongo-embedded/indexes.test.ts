import { MongoBulkWriteError, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError, useMongo } from './harness.js';

describe('indexes and uniqueness', () => {
  const h = useMongo();

  it('creates, lists and drops indexes', async () => {
    const c = h().db.collection('ix');
    expect(await c.createIndex({ a: 1 })).toBe('a_1');
    expect(await c.createIndex({ b: -1, c: 1 }, { name: 'bc', background: true })).toBe('bc');
    expect(await c.createIndex({ a: 1 })).toBe('a_1'); // idempotent
    const names = (await c.listIndexes().toArray()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'a_1', 'bc']);
    const bc = (await c.indexes()).find((i) => i.name === 'bc');
    expect(bc?.key).toEqual({ b: -1, c: 1 });
    await c.dropIndex('a_1');
    expect((await c.indexes()).map((i) => i.name).sort()).toEqual(['_id_', 'bc']);
    await c.dropIndexes();
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
    const err = await serverError(() => h().db.collection('never-created').listIndexes().toArray());
    expect(err.code).toBe(26);
  });

  it('enforces a unique index with keyPattern and keyValue on insert, update and upsert', async () => {
    const c = h().db.collection('uniq');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@x.io', n: 1 });
    await c.insertOne({ email: 'b@x.io', n: 2 });
    const dup = await serverError(() => c.insertOne({ email: 'a@x.io' }));
    expect(dup.code).toBe(11000);
    expect(String(dup.message)).toMatch(
      /E11000 duplicate key error collection: .*uniq index: email_1 dup key/,
    );
    expect(dup.keyPattern).toEqual({ email: 1 });
    expect(dup.keyValue).toEqual({ email: 'a@x.io' });
    const upd = await serverError(() => c.updateOne({ n: 2 }, { $set: { email: 'a@x.io' } }));
    expect(upd.code).toBe(11000);
    expect(upd.keyValue).toEqual({ email: 'a@x.io' });
    const ups = await serverError(() =>
      c.updateOne({ n: 3 }, { $set: { email: 'b@x.io' } }, { upsert: true }),
    );
    expect(ups.code).toBe(11000);
    const fam = await serverError(() => c.findOneAndUpdate({ n: 2 }, { $set: { email: 'a@x.io' } }));
    expect(fam.code).toBe(11000);
    expect(fam.codeName).toBe('DuplicateKey'); // a command error (not a writeError) carries codeName
    expect(fam.keyPattern).toEqual({ email: 1 });
    // Changing a document's own key to a free value is fine, and frees the old one.
    await c.updateOne({ n: 2 }, { $set: { email: 'c@x.io' } });
    await c.insertOne({ email: 'b@x.io', n: 4 });
    // Deleting frees the key too.
    await c.deleteOne({ email: 'a@x.io' });
    await c.insertOne({ email: 'a@x.io', n: 5 });
    // Without sparse, two documents missing the field collide on null.
    await c.insertOne({ n: 6 });
    const missing = await serverError(() => c.insertOne({ n: 7 }));
    expect(missing.code).toBe(11000);
    expect(missing.keyValue).toEqual({ email: null });
  });

  it('reports per-document errors in unordered and ordered bulk inserts', async () => {
    const c = h().db.collection('uniq');
    const ordered = await serverError(() =>
      c.insertMany([{ email: 'o1' }, { email: 'a@x.io' }, { email: 'o2' }]),
    );
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect((ordered as unknown as MongoBulkWriteError).insertedCount).toBe(1);
    const unordered = await serverError(() =>
      c.insertMany([{ email: 'u1' }, { email: 'a@x.io' }, { email: 'u2' }], { ordered: false }),
    );
    const bulk = unordered as unknown as MongoBulkWriteError;
    expect(bulk.insertedCount).toBe(2);
    expect(bulk.writeErrors).toHaveLength(1);
    expect(await c.countDocuments({ email: { $in: ['o1', 'o2', 'u1', 'u2'] } })).toBe(3);
  });

  it('sparse unique: documents without the field never collide', async () => {
    const c = h().db.collection('users');
    await c.createIndex({ email: 1 }, { unique: true, sparse: true });
    await c.createIndex({ referralCode: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ telegramId: '1' }, { telegramId: '2' }, { email: 'e@x.io', referralCode: 'R1' }]);
    const dup = await serverError(() => c.insertOne({ email: 'e@x.io' }));
    expect(dup.code).toBe(11000);
    expect(dup.keyPattern).toEqual({ email: 1 });
    const ref = await serverError(() => c.insertOne({ email: 'f@x.io', referralCode: 'R1' }));
    expect(ref.keyPattern).toEqual({ referralCode: 1 });
    expect(ref.keyValue).toEqual({ referralCode: 'R1' });
  });

  it('partialFilterExpression unique: only pending inbound request.network payments are unique', async () => {
    const c = h().db.collection('payments');
    const key = { buyerId: 1, purchaseRequestId: 1, sellerOfferId: 1, provider: 1, direction: 1 };
    await c.createIndex(key, {
      unique: true,
      name: 'uniq_pending_inbound',
      partialFilterExpression: { provider: 'request.network', direction: 'in', status: 'pending' },
    });
    const buyerId = new ObjectId();
    const purchaseRequestId = new ObjectId();
    const sellerOfferId = new ObjectId();
    const base = { buyerId, purchaseRequestId, sellerOfferId, provider: 'request.network', direction: 'in' };
    await c.insertOne({ ...base, status: 'pending' });
    await c.insertOne({ ...base, status: 'paid' });
    await c.insertOne({ ...base, status: 'paid' });
    await c.insertOne({ ...base, direction: 'out', status: 'pending' });
    await c.insertOne({ ...base, provider: 'stripe', status: 'pending' });
    const dup = await serverError(() => c.insertOne({ ...base, status: 'pending' }));
    expect(dup.code).toBe(11000);
    expect(dup.keyPattern).toEqual(key);
    const kv = dup.keyValue as Record<string, unknown>;
    expect(Object.keys(kv)).toEqual(Object.keys(key));
    expect((kv.buyerId as ObjectId).equals(buyerId)).toBe(true);
    expect((kv.sellerOfferId as ObjectId).equals(sellerOfferId)).toBe(true);
    expect(kv.provider).toBe('request.network');
    expect(kv.direction).toBe('in');
    // Moving a paid one back to pending collides; moving the pending one to paid frees the key.
    const back = await serverError(() =>
      c.updateOne({ ...base, status: 'paid' }, { $set: { status: 'pending' } }),
    );
    expect(back.code).toBe(11000);
    await c.updateOne({ ...base, status: 'pending' }, { $set: { status: 'paid' } });
    await c.updateOne({ ...base, status: 'paid' }, { $set: { status: 'pending' } });
    expect(await c.countDocuments({ ...base, status: 'pending' })).toBe(1);
  });

  it('compound unique indexes compare the whole key', async () => {
    const c = h().db.collection('compound');
    await c.createIndex({ a: 1, b: 1 }, { unique: true });
    await c.insertMany([
      { a: 1, b: 1 },
      { a: 1, b: 2 },
      { a: 2, b: 1 },
    ]);
    const dup = await serverError(() => c.insertOne({ a: 1, b: 2 }));
    expect(dup.keyValue).toEqual({ a: 1, b: 2 });
    // Numbers of different types with equal values are the same key.
    const num = await serverError(() => c.insertOne({ a: 1.0, b: 2 }));
    expect(num.code).toBe(11000);
  });

  it('refuses to build a unique index over existing duplicates', async () => {
    const c = h().db.collection('predup');
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    const err = await serverError(() => c.createIndex({ k: 1 }, { unique: true }));
    expect(err.code).toBe(11000);
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });
});
