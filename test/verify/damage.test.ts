import { ObjectId } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChunk } from '../../src/backfill/copyChunk.js';
import { startBackfill } from '../../src/backfill/start.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { lockDocuments } from '../../src/sync/locks.js';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { recheckDocuments, verifyMoney, type Mismatch } from '../../src/verify/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { toScaled } from '../../src/verify/money/exactSums.js';
import { verifyCounts } from '../../src/verify/index.js';
import { brief, verifyCollection } from './support.js';

/**
 * Each kind of damage, done behind the engine's back on one document, is found with that document's
 * legacy id and nothing else; then a sync repairs it and the recheck (under the document locks) agrees.
 */
describe('verify finds each kind of damage, with its legacy id and only that id', () => {
  let stack: TestStack;
  const pool = () => stack.pg.db.$client;
  const one = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => {
    const { rows } = await pool().query<T>(sql, params);
    if (!rows[0]) throw new Error(`no row for: ${sql}`);
    return rows[0];
  };
  /** The range verdict must be exactly `expected`; the recheck of that id must agree; a sync must repair it. */
  const expectOnly = async (collection: string, id: unknown, expected: Omit<Mismatch, 'id' | 'detail'>[]) => {
    const verdict = await verifyCollection(stack, collection);
    expect(brief(verdict.mismatches)).toEqual(expected);
    expect(brief(await recheckDocuments(pool(), stack.source, collection, [id]))).toEqual(expected);
    await syncDocuments(pool(), stack.source, collection, [id]);
    expect(await recheckDocuments(pool(), stack.source, collection, [id])).toEqual([]);
    expect((await verifyCollection(stack, collection)).mismatches).toEqual([]);
    return verdict.mismatches;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 400, seed: 7 });
    stack.startWorkers(2);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 100 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    await stack.stopWorkers();
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('a payment amount off by 1e-18 in Postgres: changed [amount], and money goes red on that group only', async () => {
    const { legacy_object_id: legacyId, status } = await one<{ legacy_object_id: string; status: string }>(
      `UPDATE payments SET amount = amount + 0.000000000000000001
        WHERE id = (SELECT id FROM payments WHERE source_deleted_at IS NULL ORDER BY legacy_object_id LIMIT 1)
        RETURNING legacy_object_id, status::text AS status`,
    );
    const money = await verifyMoney(pool(), stack.source);
    expect(money.ok).toBe(false);
    const red = money.checks.filter((c) => !c.ok);
    expect(red).toHaveLength(1);
    expect(red[0]!.name).toBe('payments_sum');
    expect(red[0]!.key.startsWith(`${status}|`)).toBe(true);
    expect(toScaled(red[0]!.pg) - toScaled(red[0]!.mongo)).toBe(1n);

    const [found] = await expectOnly('payments', new ObjectId(legacyId), [
      { legacyId, kind: 'changed', columns: ['amount'] },
    ]);
    const { mongo, pg } = found!.detail.amount!;
    expect(`${mongo} → ${pg}`).toMatch(/→/);
    expect(pg).not.toBe(mongo);
    expect((await verifyMoney(pool(), stack.source)).ok).toBe(true);
  }, 60_000);

  it('a deleted child row: child_rows [its table]', async () => {
    const { legacy_object_id: legacyId } = await one<{ legacy_object_id: string }>(
      `WITH gone AS (
         DELETE FROM dispute_timeline WHERE ctid = (SELECT ctid FROM dispute_timeline LIMIT 1) RETURNING dispute_id)
       SELECT d.legacy_object_id FROM disputes d JOIN gone ON gone.dispute_id = d.id`,
    );
    await expectOnly('disputes', new ObjectId(legacyId), [
      { legacyId, kind: 'child_rows', columns: ['dispute_timeline'] },
    ]);
  }, 60_000);

  it('a column changed in Postgres: changed [that column]', async () => {
    const { legacy_object_id: legacyId } = await one<{ legacy_object_id: string }>(
      `UPDATE users SET profile_display_name = 'tampered'
        WHERE id = (SELECT id FROM users WHERE source_deleted_at IS NULL AND rejected_at IS NULL
                     ORDER BY legacy_object_id DESC LIMIT 1)
        RETURNING legacy_object_id`,
    );
    await expectOnly('users', new ObjectId(legacyId), [
      { legacyId, kind: 'changed', columns: ['profile_display_name'] },
    ]);
  }, 60_000);

  it('a row with no source document: extra', async () => {
    const legacyId = new ObjectId().toHexString();
    await pool().query(
      `CREATE TEMP TABLE stray AS SELECT * FROM point_transactions WHERE rejected_at IS NULL LIMIT 1;
       UPDATE stray SET id = gen_random_uuid(), legacy_object_id = '${legacyId}';
       INSERT INTO point_transactions SELECT * FROM stray; DROP TABLE stray;`,
    );
    await expectOnly('pointtransactions', new ObjectId(legacyId), [{ legacyId, kind: 'extra', columns: [] }]);
  }, 60_000);

  it('a MongoDB document changed behind the repositories: changed', async () => {
    const doc = await stack.source
      .collection<Document>('selleroffers')
      .findOne({ message: { $type: 'string' } }, { sort: { _id: 1 } });
    await stack.source
      .collection<Document>('selleroffers')
      .updateOne({ _id: doc!._id }, { $set: { message: 'edited in mongosh' } });
    const legacyId = (doc!._id as ObjectId).toHexString();
    const [found] = await expectOnly('selleroffers', doc!._id, [
      { legacyId, kind: 'changed', columns: ['message'] },
    ]);
    expect(found!.detail.message!.mongo).toBe('edited in mongosh');
  }, 60_000);

  it('a MongoDB document deleted behind the repositories: extra (the live row outlived it)', async () => {
    const doc = await stack.source.collection<Document>('reviews').findOne({}, { sort: { _id: -1 } });
    await stack.source.collection<Document>('reviews').deleteOne({ _id: doc!._id });
    const legacyId = (doc!._id as ObjectId).toHexString();
    const [found] = await expectOnly('reviews', doc!._id, [{ legacyId, kind: 'extra', columns: [] }]);
    expect(String(found!.id)).toBe(legacyId);
    // Repaired by the sync: the row is gone or tombstoned, and a tombstone is accounted as deleted.
    const verdict = await verifyCollection(stack, 'reviews');
    expect(verdict.mismatches).toEqual([]);
  }, 60_000);

  it('a document that no longer maps and has no open reject: missing', async () => {
    const doc = await stack.source
      .collection<Document>('pointtransactions')
      .findOne({}, { sort: { _id: -1 } });
    // Changed behind the repositories into something the mapper refuses; no sync ran, so no reject row.
    await stack.source
      .collection<Document>('pointtransactions')
      .updateOne({ _id: doc!._id }, { $set: { userId: 42 } });
    const legacyId = (doc!._id as ObjectId).toHexString();
    const verdict = await verifyCollection(stack, 'pointtransactions');
    expect(brief(verdict.mismatches)).toEqual([{ legacyId, kind: 'missing', columns: [] }]);
    // The sync turns it into a reject (the row retired): accounted as rejected, no longer a mismatch.
    await syncDocuments(pool(), stack.source, 'pointtransactions', [doc!._id]);
    const after = await verifyCollection(stack, 'pointtransactions');
    expect(after.mismatches).toEqual([]);
    expect(after.accounted.rejected).toBe(verdict.accounted.rejected + 1);
  }, 60_000);
  it('an undrained dual-write gap: accounted as gapOpen, never a mismatch, until it is resolved', async () => {
    const { legacy_object_id: legacyId } = await one<{ legacy_object_id: string }>(
      `SELECT legacy_object_id FROM users WHERE source_deleted_at IS NULL AND rejected_at IS NULL
        ORDER BY legacy_object_id OFFSET 3 LIMIT 1`,
    );
    const doc = await stack.source.collection<Document>('users').findOne({ _id: new ObjectId(legacyId) });
    await stack.source
      .collection<Document>('users')
      .updateOne({ _id: doc!._id }, { $set: { 'profile.displayName': 'written, sync failed' } });
    await pool().query(
      `INSERT INTO pg_dualwrite_gaps (collection, legacy_object_id, id_json, op, status)
       VALUES ('users', $1, $2, 'upsert', 'open')`,
      [legacyId, JSON.stringify({ $oid: legacyId })],
    );
    const during = await verifyCollection(stack, 'users');
    expect(during.mismatches).toEqual([]);
    expect(during.accounted.gapOpen).toBe(1);
    expect(await recheckDocuments(pool(), stack.source, 'users', [doc!._id])).toEqual([]);
    await pool().query(
      `UPDATE pg_dualwrite_gaps SET status = 'resolved', resolved_at = now() WHERE legacy_object_id = $1`,
      [legacyId],
    );
    await expectOnly('users', doc!._id, [{ legacyId, kind: 'changed', columns: ['profile_display_name'] }]);
  }, 60_000);

  it('counts: a foreign key dropped in Postgres shows on its reference', async () => {
    expect((await verifyCounts(pool(), stack.source, 'purchaserequests')).ok).toBe(true);
    const { legacy_object_id: legacyId } = await one<{ legacy_object_id: string }>(
      `UPDATE purchase_requests SET category_id = NULL
        WHERE id = (SELECT id FROM purchase_requests WHERE category_id IS NOT NULL
                     AND source_deleted_at IS NULL AND rejected_at IS NULL LIMIT 1)
        RETURNING legacy_object_id`,
    );
    const counts = await verifyCounts(pool(), stack.source, 'purchaserequests');
    expect(counts.ok).toBe(false);
    const category = counts.references.find((r) => r.path === 'categoryId')!;
    expect(category.rows).toBe(category.documents - 1);
    expect(counts.references.filter((r) => !r.ok).map((r) => r.path)).toEqual(['categoryId']);
    await expectOnly('purchaserequests', new ObjectId(legacyId), [
      { legacyId, kind: 'changed', columns: ['category_id'] },
    ]);
    expect((await verifyCounts(pool(), stack.source, 'purchaserequests')).ok).toBe(true);
  }, 60_000);
  it('a tombstone whose document is gone is accounted as deleted, not as extra', async () => {
    // A user other rows point at: its departure keeps the row as a tombstone (source_deleted_at).
    const { legacy_object_id: legacyId } = await one<{ legacy_object_id: string }>(
      `SELECT u.legacy_object_id FROM users u
        WHERE u.source_deleted_at IS NULL AND u.rejected_at IS NULL
          AND EXISTS (SELECT 1 FROM addresses a WHERE a.user_id = u.id)
        ORDER BY u.legacy_object_id LIMIT 1`,
    );
    const before = await verifyCollection(stack, 'users');
    await stack.source.collection<Document>('users').deleteOne({ _id: new ObjectId(legacyId) });
    await syncDocuments(pool(), stack.source, 'users', [new ObjectId(legacyId)]);
    const { tombstoned } = await one<{ tombstoned: boolean }>(
      `SELECT source_deleted_at IS NOT NULL AS tombstoned FROM users WHERE legacy_object_id = $1`,
      [legacyId],
    );
    expect(tombstoned).toBe(true);
    const after = await verifyCollection(stack, 'users');
    expect(after.mismatches).toEqual([]);
    expect(after.accounted.deleted).toBe(before.accounted.deleted + 1);
    expect(after.compared).toBe(before.compared - 1);
  }, 60_000);

  it('the recheck waits for a sync in flight (document locks) and sees it whole', async () => {
    const doc = await stack.source.collection<Document>('selleroffers').findOne({}, { sort: { _id: -1 } });
    const id = doc!._id as ObjectId;
    const holder = await pool().connect();
    try {
      // A sync of the document, stopped between taking its lock and writing Postgres.
      await holder.query('BEGIN');
      await lockDocuments(holder, 'selleroffers', [id]);
      let settled = false;
      const recheck = recheckDocuments(pool(), stack.source, 'selleroffers', [id]).finally(() => {
        settled = true;
      });
      await stack.source
        .collection<Document>('selleroffers')
        .updateOne({ _id: id }, { $set: { message: 'written by the sync in flight' } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false); // MongoDB is ahead of Postgres right now: reading it would be a false mismatch
      await copyChunk(holder, stack.source, REGISTRY.get('selleroffers'), {
        runId: null,
        range: { type: 'objectId', lo: null, hi: null },
        since: null,
        onlyIds: [id],
      });
      await holder.query('COMMIT');
      expect(await recheck).toEqual([]);
    } finally {
      holder.release();
    }
  }, 60_000);
  it('a second primary address, demoted by the writer, is expected demoted: no mismatch', async () => {
    const holder = await stack.source
      .collection<Document>('addresses')
      .findOne({ primary: true }, { sort: { _id: 1 } });
    const second = { ...holder!, _id: new ObjectId(), primary: true };
    await stack.source.collection<Document>('addresses').insertOne(second);
    await syncDocuments(pool(), stack.source, 'addresses', [second._id]);
    const { primary } = await one<{ primary: boolean }>(
      `SELECT "primary" FROM addresses WHERE legacy_object_id = $1`,
      [second._id.toHexString()],
    );
    expect(primary).toBe(false);
    expect((await verifyCollection(stack, 'addresses')).mismatches).toEqual([]);
    expect(await recheckDocuments(pool(), stack.source, 'addresses', [second._id, holder!._id])).toEqual([]);
  }, 60_000);
});
