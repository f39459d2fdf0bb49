import { Decimal128, Long, MinKey, ObjectId, Timestamp } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryRejects } from '../../src/backfill/retry.js';
import { startBackfill } from '../../src/backfill/start.js';
import { collectionStatuses } from '../../src/status/collections.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The copy path under what real data and a live source do to it: refused parents, deletes, documents
 * that stop mapping, child-only changes, skewed versions, late parents, hostile `_id`s and keys. Every
 * case drives real runs through the workers against the real Postgres, Redis and MongoDB.
 */
describe('the hardened copy path', () => {
  let stack: TestStack;
  const sql = <T extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
    stack.pg.db.$client.query<T>(text, values).then((r) => r.rows);
  const run = async (collections: string[] | 'all', since?: Date) => {
    const { runId } = await startBackfill(stack.deps, {
      collections,
      chunkSize: 200,
      ...(since ? { since } : {}),
    });
    const progress = await stack.waitForRun(runId);
    expect(progress.status, progress.error ?? '').toBe('completed');
    return runId;
  };
  const rowOf = async (table: string, id: ObjectId | string) =>
    (
      await sql(`SELECT * FROM ${table} WHERE legacy_object_id = $1`, [
        String(id instanceof ObjectId ? id.toHexString() : id),
      ])
    )[0];
  const openReject = async (collection: string, id: string) =>
    (
      await sql<{ reason: string; field: string | null; message: string }>(
        `SELECT reason, field, message FROM migration_rejects WHERE collection = $1 AND legacy_object_id = $2 AND resolved_at IS NULL`,
        [collection, id],
      )
    )[0];
  const anomalies = (collection: string, id: string) =>
    sql<{ code: string; field: string }>(
      `SELECT code, field FROM migration_anomalies WHERE collection = $1 AND legacy_object_id = $2 ORDER BY code, field`,
      [collection, id],
    );

  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 600, seed: 21, quirkRate: 0 });
    stack.startWorkers(2);
    await run('all');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('refused parents', () => {
    it('a child of a parent Postgres refused keeps its row where the policy allows, and is rejected only for a required owner', async () => {
      // Postgres refuses a row MongoDB holds (here a CHECK the test adds; in production a unique clash or
      // a CHECK the legacy data never met): the document gets an id_map entry but no row.
      const users = stack.source.collection('users');
      const template = await users.findOne({ email: { $type: 'string' } });
      const refused = new ObjectId();
      const email = `refuse-${refused.toHexString()}@example.com`;
      await users.insertOne({
        ...template!,
        _id: refused,
        email,
        referralCode: `R-${refused.toHexString()}`,
      });
      await sql(`ALTER TABLE users ADD CONSTRAINT test_refuse_one CHECK (email IS DISTINCT FROM '${email}')`);
      const payments = stack.source.collection('payments');
      const payment = await payments.findOne({ sellerId: { $type: 'objectId' } });
      await payments.updateOne({ _id: payment!._id }, { $set: { sellerId: refused, updatedAt: new Date() } });
      const requests = stack.source.collection('purchaserequests');
      const request = await requests.findOne({});
      await requests.updateOne({ _id: request!._id }, { $set: { buyerId: refused, updatedAt: new Date() } });

      await run(['users', 'purchaserequests', 'payments']);
      expect((await openReject('users', refused.toHexString()))?.reason).toBe('constraint_violation');
      // It has an id_map entry (allocated before the write) but no row: it must not resolve as a parent.
      expect(
        await sql(`SELECT 1 FROM id_map WHERE collection = 'users' AND legacy_object_id = $1`, [
          refused.toHexString(),
        ]),
      ).toHaveLength(1);
      const paymentRow = await rowOf('payments', payment!._id);
      expect(paymentRow).toMatchObject({
        seller_id: null,
        seller_ref_kind: 'dangling',
        seller_external_ref: refused.toHexString(),
      });
      expect(await anomalies('payments', payment!._id.toHexString())).toContainEqual({
        code: 'dangling_reference',
        field: 'sellerId',
      });
      expect((await openReject('purchaserequests', request!._id.toHexString()))?.reason).toBe(
        'orphan_reference',
      );
    });

    it('a second primary address is migrated as not primary, with an anomaly; the oldest keeps it, whatever the chunk order', async () => {
      const addresses = stack.source.collection('addresses');
      const primary = await addresses.findOne({ primary: true });
      const older = new ObjectId(
        ObjectId.createFromTime(Math.floor(primary!._id.getTimestamp().getTime() / 1000) - 60).toHexString(),
      );
      const younger = new ObjectId();
      const base = {
        userId: primary!.userId,
        line1: '1 Main St',
        city: 'Lyon',
        country: 'FR',
        primary: true,
      };
      await addresses.insertMany([
        { _id: younger, ...base },
        { _id: older, ...base },
      ]);
      // A purchase request delivered to the demoted address keeps its delivery row and FK.
      const requests = stack.source.collection('purchaserequests');
      const [live] = await sql<{ legacy_object_id: string }>(
        `SELECT p.legacy_object_id FROM purchase_requests p JOIN pr_delivery_info d ON d.purchase_request_id = p.id
          WHERE p.rejected_at IS NULL AND p.source_deleted_at IS NULL LIMIT 1`,
      );
      const request = await requests.findOne({ _id: new ObjectId(live!.legacy_object_id) });
      await requests.updateOne(
        { _id: request!._id },
        { $set: { 'deliveryInfo.addressId': younger, updatedAt: new Date() } },
      );

      await run(['addresses', 'purchaserequests']);
      const flags = await sql<{ legacy_object_id: string; primary: boolean }>(
        `SELECT legacy_object_id, "primary" FROM addresses WHERE legacy_object_id = ANY($1) ORDER BY legacy_object_id`,
        [[older, primary!._id, younger].map((id) => id.toHexString())],
      );
      expect(
        flags.length,
        JSON.stringify(
          await sql(
            `SELECT legacy_object_id, reason, message FROM migration_rejects WHERE collection = 'addresses' AND resolved_at IS NULL`,
          ),
        ),
      ).toBe(3);
      expect(Object.fromEntries(flags.map((f) => [f.legacy_object_id, f.primary]))).toEqual({
        [older.toHexString()]: true,
        [primary!._id.toHexString()]: false,
        [younger.toHexString()]: false,
      });
      for (const demoted of [primary!._id, younger])
        expect(await anomalies('addresses', demoted.toHexString())).toContainEqual({
          code: 'demoted_flag',
          field: 'primary',
        });
      const delivery = await sql<{ legacy_object_id: string }>(
        `SELECT a.legacy_object_id FROM pr_delivery_info d JOIN purchase_requests p ON p.id = d.purchase_request_id
           JOIN addresses a ON a.id = d.address_id WHERE p.legacy_object_id = $1`,
        [request!._id.toHexString()],
      );
      expect(
        delivery,
        JSON.stringify({
          doc: await requests.findOne({ _id: request!._id }),
          reject: await openReject('purchaserequests', request!._id.toHexString()),
          row: await rowOf('purchase_requests', request!._id),
        }),
      ).toEqual([{ legacy_object_id: younger.toHexString() }]);
      // Re-running changes nothing: the decision does not depend on which chunk came first.
      await run(['addresses']);
      expect((await rowOf('addresses', older))!.primary).toBe(true);
    });
  });

  describe('deletes', () => {
    it('a deleted document nothing references loses its row and child rows, its rejects close, and status counts it as deleted', async () => {
      const reviews = stack.source.collection('reviews');
      const review = await reviews.findOne({});
      const disputes = stack.source.collection('disputes');
      const dispute = await disputes.findOne({ 'timeline.0': { $exists: true } });
      const broken = await reviews.insertOne({ rating: 'five', reviewerId: new ObjectId() });
      await run(['reviews']);
      expect(await openReject('reviews', broken.insertedId.toHexString())).toBeDefined();

      await reviews.deleteMany({ _id: { $in: [review!._id, broken.insertedId] } });
      await disputes.deleteOne({ _id: dispute!._id });
      const before = await collectionStatuses(stack.deps);
      await run(['reviews', 'disputes']);
      expect(await rowOf('reviews', review!._id)).toBeUndefined();
      expect(await rowOf('disputes', dispute!._id)).toBeUndefined();
      expect(
        await sql(
          `SELECT 1 FROM dispute_timeline t WHERE NOT EXISTS (SELECT 1 FROM disputes d WHERE d.id = t.dispute_id)`,
        ),
      ).toEqual([]);
      const closed = await sql<{ resolution: string }>(
        `SELECT resolution FROM migration_rejects WHERE collection = 'reviews' AND legacy_object_id = $1`,
        [broken.insertedId.toHexString()],
      );
      expect(closed).toEqual([{ resolution: 'deleted' }]);
      const after = await collectionStatuses(stack.deps);
      const of = (list: typeof after, name: string) => list.find((s) => s.name === name)!;
      expect(of(after, 'reviews').deleted - of(before, 'reviews').deleted).toBe(2 - 1); // the row; the reject is closed
      expect(of(after, 'reviews').migrated).toBe(of(before, 'reviews').migrated - 1);
      expect(of(after, 'reviews').rejected).toBe(of(before, 'reviews').rejected - 1);
    });

    it('a deleted document that other rows reference is tombstoned, never cascade-deleted, and a --since run finds it too', async () => {
      const users = stack.source.collection('users');
      const { rows: referenced } = await stack.pg.db.$client.query<{ legacy_object_id: string }>(
        `SELECT u.legacy_object_id FROM users u JOIN payments p ON p.buyer_id = u.id
          WHERE u.source_deleted_at IS NULL LIMIT 1`,
      );
      const buyer = new ObjectId(referenced[0]!.legacy_object_id);
      const paymentsBefore = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM payments p JOIN users u ON u.id = p.buyer_id WHERE u.legacy_object_id = $1`,
        [buyer.toHexString()],
      );
      await users.deleteOne({ _id: buyer });
      await run(['users'], new Date());
      const row = await rowOf('users', buyer);
      expect(row?.source_deleted_at).toBeInstanceOf(Date);
      const paymentsAfter = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM payments p JOIN users u ON u.id = p.buyer_id WHERE u.legacy_object_id = $1`,
        [buyer.toHexString()],
      );
      expect(paymentsAfter).toEqual(paymentsBefore);
      expect(
        await sql(
          `SELECT tombstoned FROM migration_deletions WHERE collection = 'users' AND legacy_object_id = $1`,
          [buyer.toHexString()],
        ),
      ).toEqual([{ tombstoned: true }]);

      // Restored in MongoDB: the row is live again and no longer counted as deleted.
      await users.insertOne({
        _id: buyer,
        email: `back-${buyer.toHexString()}@example.com`,
        role: 'buyer',
        status: 'active',
      });
      await run(['users']);
      expect((await rowOf('users', buyer))?.source_deleted_at).toBeNull();
      expect(
        await sql(`SELECT 1 FROM migration_deletions WHERE collection = 'users' AND legacy_object_id = $1`, [
          buyer.toHexString(),
        ]),
      ).toEqual([]);
    });

    it('a migrated document that stops mapping loses its row (or has it tombstoned) and is counted once, as rejected', async () => {
      const reviews = stack.source.collection('reviews');
      const review = await reviews.findOne({});
      const users = stack.source.collection('users');
      const { rows } = await stack.pg.db.$client.query<{ legacy_object_id: string }>(
        `SELECT u.legacy_object_id FROM users u WHERE EXISTS (SELECT 1 FROM payments p WHERE p.buyer_id = u.id)
            AND u.source_deleted_at IS NULL LIMIT 1`,
      );
      const user = new ObjectId(rows[0]!.legacy_object_id);
      await reviews.updateOne({ _id: review!._id }, { $set: { rating: 'great' } });
      await users.updateOne({ _id: user }, { $set: { role: 'emperor' } });
      await run(['users', 'reviews']);
      expect(await rowOf('reviews', review!._id)).toBeUndefined();
      expect((await openReject('reviews', review!._id.toHexString()))?.reason).toBe('invalid_type');
      expect((await rowOf('users', user))?.rejected_at).toBeInstanceOf(Date);
      expect((await openReject('users', user.toHexString()))?.reason).toBe('invalid_enum');
      const [status] = (await collectionStatuses(stack.deps)).filter((s) => s.name === 'users');
      const live = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM users WHERE source_deleted_at IS NULL AND rejected_at IS NULL`,
      );
      expect(status!.migrated).toBe(live[0]!.n);
      const doubled = await sql(
        `SELECT u.legacy_object_id FROM users u JOIN migration_rejects r ON r.collection = 'users'
            AND r.legacy_object_id = u.legacy_object_id AND r.resolved_at IS NULL
          WHERE u.source_deleted_at IS NULL AND u.rejected_at IS NULL`,
      );
      expect(doubled).toEqual([]);
      // Fixed in MongoDB: a retry brings the row back to life and closes the reject.
      await users.updateOne({ _id: user }, { $set: { role: 'buyer' } });
      await retryRejects(stack.deps, { collection: 'users' });
      expect((await rowOf('users', user))?.rejected_at).toBeNull();
      expect(await openReject('users', user.toHexString())).toBeUndefined();
    });
  });

  it('child rows follow the document even when the main row did not change', async () => {
    const users = stack.source.collection('users');
    const user = await users.findOne({ 'passkeys.0': { $exists: true }, updatedAt: { $type: 'date' } });
    const countPasskeys = async () =>
      (
        await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM user_passkeys k JOIN users u ON u.id = k.user_id WHERE u.legacy_object_id = $1`,
          [user!._id.toHexString()],
        )
      )[0]!.n;
    const before = await countPasskeys();
    // Same updatedAt, same main fields: only the array changed (a $push that skipped the timestamps plugin).
    await users.updateOne(
      { _id: user!._id },
      { $push: { passkeys: { ...user!.passkeys[0], credentialId: 'added-by-hand' } } },
    );
    await run(['users']);
    expect(await countPasskeys()).toBe(before + 1);
    const pull: Document = { $pull: { passkeys: { credentialId: 'added-by-hand' } } };
    await users.updateOne({ _id: user!._id }, pull);
    await run(['users']);
    expect(await countPasskeys()).toBe(before);
  });

  describe('versions (docs/data-policy.md "Versions")', () => {
    it('a future-dated updatedAt does not pin the row against later versions', async () => {
      const categories = stack.source.collection('categories');
      const category = await categories.findOne({});
      await categories.updateOne(
        { _id: category!._id },
        { $set: { name: 'From the future', updatedAt: new Date('2099-01-01') } },
      );
      await run(['categories']);
      expect((await rowOf('categories', category!._id))?.name).toBe('From the future');
      await categories.updateOne(
        { _id: category!._id },
        { $set: { name: 'Back to now', updatedAt: new Date() } },
      );
      await run(['categories']);
      expect((await rowOf('categories', category!._id))?.name).toBe('Back to now');
    });

    it('an equal updatedAt with new content is applied: the later read wins', async () => {
      const categories = stack.source.collection('categories');
      const category = await categories.findOne({ updatedAt: { $type: 'date' } });
      await categories.updateOne({ _id: category!._id }, { $set: { name: 'Same version, new name' } });
      await run(['categories']);
      expect((await rowOf('categories', category!._id))?.name).toBe('Same version, new name');
    });

    it('a document without any version (string _id, no timestamps) is updated like any other', async () => {
      const settings = stack.source.collection<{ _id: string; key: string; value?: unknown }>(
        'configsettings',
      );
      await settings.insertOne({ _id: 'legacy_flag', key: 'legacy_flag', value: 1 });
      await run(['configsettings']);
      await settings.updateOne({ _id: 'legacy_flag' }, { $set: { value: 2 } });
      await run(['configsettings']);
      const row = await rowOf('config_settings', 'legacy_flag');
      expect(row?.source_updated_at).toBeNull();
      expect(row?.value).toBe(2);
    });

    it('a row written by a reader that began after the chunk read is never overwritten by the chunk', async () => {
      const users = stack.source.collection('users');
      const user = await users.findOne({ email: { $type: 'string' } });
      await sql(
        `UPDATE users SET email = 'synced-later@example.com', source_read_at = clock_timestamp() + interval '1 hour'
          WHERE legacy_object_id = $1`,
        [user!._id.toHexString()],
      );
      await run(['users']);
      expect((await rowOf('users', user!._id))?.email).toBe('synced-later@example.com');
    });
  });

  it('a dangling deferred reference is linked, and its anomaly cleared, once the parent arrives (--since and retry)', async () => {
    const categories = stack.source.collection('categories');
    const lateParent = new ObjectId();
    const child = new ObjectId();
    await categories.insertOne({
      _id: child,
      name: 'Waiting for a parent',
      parentId: lateParent,
      createdAt: new Date(),
    });
    await run(['categories']);
    expect(await anomalies('categories', child.toHexString())).toContainEqual({
      code: 'dangling_reference',
      field: 'parent_id',
    });

    const since = new Date();
    await new Promise((resolve) => setTimeout(resolve, 10)); // `--since` means strictly after
    await categories.insertOne({
      _id: lateParent,
      name: 'The parent',
      slug: `s-${lateParent.toHexString()}`,
      createdAt: new Date(),
      // Its _id was minted before `since`: only its updatedAt puts it in the delta (as the timestamps plugin would).
      updatedAt: new Date(),
    });
    await run(['categories'], since);
    const linked = await sql<{ parent: string }>(
      `SELECT p.legacy_object_id AS parent FROM categories c JOIN categories p ON p.id = c.parent_id WHERE c.legacy_object_id = $1`,
      [child.toHexString()],
    );
    expect(linked).toEqual([{ parent: lateParent.toHexString() }]);
    expect(await anomalies('categories', child.toHexString())).toEqual([]);

    // A retried reject is linked too: a child rejected for a bad name, fixed, retried.
    const retried = new ObjectId();
    await categories.insertOne({
      _id: retried,
      name: 42,
      slug: `s-${retried.toHexString()}`,
      parentId: lateParent,
      createdAt: new Date(),
    });
    await run(['categories']);
    await categories.updateOne({ _id: retried }, { $set: { name: 'Fixed' } });
    await retryRejects(stack.deps, { collection: 'categories' });
    const retriedLink = await sql<{ parent: string }>(
      `SELECT p.legacy_object_id AS parent FROM categories c JOIN categories p ON p.id = c.parent_id WHERE c.legacy_object_id = $1`,
      [retried.toHexString()],
    );
    expect(
      retriedLink,
      JSON.stringify({
        rejects: await sql(
          `SELECT * FROM migration_rejects WHERE collection = 'categories' AND legacy_object_id = $1`,
          [retried.toHexString()],
        ),
        links: await sql(
          `SELECT * FROM pending_links WHERE collection = 'categories' AND legacy_object_id = $1`,
          [retried.toHexString()],
        ),
        row: await rowOf('categories', retried),
      }),
    ).toEqual([{ parent: lateParent.toHexString() }]);
  });

  it('an _id of an unsupported type, or a value Postgres refuses (SQLSTATE 22xxx), is a reject and never fails the run', async () => {
    const reviews = stack.source.collection<{ _id: unknown; [key: string]: unknown }>('reviews');
    const template = await reviews.findOne({ _id: { $type: 'objectId' }, rating: { $type: 'int' } });
    const { _id: _ignored, ...fields } = template!;
    // (null is not among them: the driver replaces a null `_id` with a new ObjectId before sending.)
    const odd = [
      42,
      new Long(7),
      new Date('2020-01-01'),
      Decimal128.fromString('1.5'),
      new MinKey(),
      new Timestamp({ t: 1, i: 1 }),
    ];
    await reviews.insertMany(odd.map((_id) => ({ ...fields, _id })));
    // A value the mapping accepts but the target column cannot hold (a schema narrower than the data,
    // here a varchar the test imposes): 22001, string data right truncation.
    const lone = new ObjectId();
    const [{ longest }] = (await sql<{ longest: number }>(
      `SELECT COALESCE(max(length(comment)), 0)::int AS longest FROM reviews`,
    )) as [{ longest: number }];
    await reviews.insertOne({ ...fields, _id: lone, comment: 'x'.repeat(longest + 10) });
    await sql(`ALTER TABLE reviews ALTER COLUMN comment TYPE varchar(${longest})`);
    await run(['reviews']);
    await sql(`ALTER TABLE reviews ALTER COLUMN comment TYPE text`);
    const rejects = await sql<{ legacy_object_id: string; reason: string; field: string | null }>(
      `SELECT legacy_object_id, reason, field FROM migration_rejects WHERE collection = 'reviews' AND resolved_at IS NULL
          AND (field = '_id' OR legacy_object_id = $1) ORDER BY legacy_object_id`,
      [lone.toHexString()],
    );
    expect(rejects.filter((r) => r.field === '_id')).toHaveLength(odd.length);
    expect(rejects.every((r) => r.reason === 'invalid_type')).toBe(true);
    const surrogate = await openReject('reviews', lone.toHexString());
    expect(surrogate?.message).toMatch(/SQLSTATE 22/);
  });

  it('undeclared fields named like Object.prototype members survive into legacy_extra', async () => {
    const users = stack.source.collection('users');
    const template = await users.findOne({ email: { $type: 'string' } });
    const id = new ObjectId();
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": true}, "hasOwnProperty": 1, "toString": "s", "valueOf": [1], "constructor": {"x": 2}, "a.b": 3}',
    ) as Record<string, unknown>;
    await users.insertOne({
      ...template!,
      _id: id,
      email: `hostile-${id.toHexString()}@example.com`,
      referralCode: undefined,
      ...hostile,
    });
    await run(['users']);
    const row = await rowOf('users', id);
    const extra = row?.legacy_extra as Record<string, unknown>;
    for (const key of ['__proto__', 'hasOwnProperty', 'toString', 'valueOf', 'constructor'])
      expect(Object.hasOwn(extra, key), key).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
