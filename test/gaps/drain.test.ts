import { ObjectId } from 'bson';
import net from 'node:net';
import { MongoClient, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainGaps } from '../../src/gaps/drain.js';
import { recordGap, type GapStores } from '../../src/gaps/record.js';
import { claimDueGaps } from '../../src/gaps/sql/claimDueGaps.js';
import { resolveGaps } from '../../src/gaps/sql/settleGaps.js';
import { reopenDeadGaps } from '../../src/gaps/sql/reopenDeadGaps.js';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { runCli } from '../support/cli.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface GapRowState {
  id: string;
  status: string;
  attempts: number;
  id_json: string | null;
  last_error: string | null;
  direction: string;
  delay_ms: number | null;
}

describe('gaps: recording and draining forward gaps through syncDocuments', () => {
  let stack: TestStack;
  let stores: GapStores;
  const settings = () => stack.source.collection<Document>('configsettings');
  const levels = () => stack.source.collection<Document>('levelconfigs');
  const pool = () => stack.pg.db.$client;

  beforeAll(async () => {
    stack = await startTestStack();
    stores = { pool: stack.deps.db.$client, mongo: stack.deps.mongo };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const gapOf = async (collection: string, legacyId: string): Promise<GapRowState[]> =>
    (
      await pool().query<GapRowState>(
        `SELECT id, status, attempts, id_json, last_error, direction,
                (extract(epoch FROM next_attempt_at - last_attempt_at) * 1000)::int AS delay_ms
           FROM pg_dualwrite_gaps WHERE collection = $1 AND legacy_object_id = $2 ORDER BY id`,
        [collection, legacyId],
      )
    ).rows;
  const settingRow = async (legacyId: string) =>
    (
      await pool().query<{ key: string; value: unknown }>(
        `SELECT key, value FROM config_settings WHERE legacy_object_id = $1`,
        [legacyId],
      )
    ).rows[0];

  it('a gap for a document changed in MongoDB drains into its row; other collections in the batch too', async () => {
    const id = new ObjectId();
    await settings().insertOne({ _id: id, key: 'fee.bps', value: 25 });
    const levelId = new ObjectId();
    await levels().insertOne({ _id: levelId, level: 7, name: 'Gold' });
    await syncDocuments(pool(), stack.deps.mongo, 'configsettings', [id]);
    await syncDocuments(pool(), stack.deps.mongo, 'levelconfigs', [levelId]);

    // The application's MongoDB writes succeed; their Postgres syncs fail: two gaps.
    await settings().updateOne({ _id: id }, { $set: { value: 30 } });
    await levels().updateOne({ _id: levelId }, { $set: { name: 'Platinum' } });
    const refused = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const recorded = await recordGap(stores, {
      collection: 'configsettings',
      id,
      op: 'upsert',
      error: refused,
    });
    expect(recorded.store).toBe('table');
    await recordGap(stores, { collection: 'levelconfigs', id: levelId, op: 'upsert', error: refused });
    const [gap] = await gapOf('configsettings', id.toHexString());
    expect(gap).toMatchObject({ status: 'open', attempts: 0, id_json: `{"$oid":"${id.toHexString()}"}` });
    expect(gap!.last_error).toContain(`configsettings ${id.toHexString()}`);
    expect(gap!.last_error).toContain('SQLSTATE 57P01');

    const result = await drainGaps(stores);
    expect(result).toMatchObject({ claimed: 2, resolved: 2, retrying: 0, dead: 0 });
    expect(await settingRow(id.toHexString())).toEqual({ key: 'fee.bps', value: 30 });
    const { rows } = await pool().query(`SELECT name FROM level_configs WHERE legacy_object_id = $1`, [
      levelId.toHexString(),
    ]);
    expect(rows).toEqual([{ name: 'Platinum' }]);
    expect(await gapOf('configsettings', id.toHexString())).toMatchObject([
      { status: 'resolved', attempts: 1 },
    ]);
  });

  it('a gap for a document deleted from MongoDB retires its row', async () => {
    const id = new ObjectId();
    await settings().insertOne({ _id: id, key: 'gone.soon', value: true });
    await syncDocuments(pool(), stack.deps.mongo, 'configsettings', [id]);
    expect(await settingRow(id.toHexString())).toBeDefined();

    await settings().deleteOne({ _id: id });
    await recordGap(stores, { collection: 'configsettings', id, op: 'delete', error: new Error('timeout') });
    expect(await drainGaps(stores)).toMatchObject({ claimed: 1, resolved: 1 });
    expect(await settingRow(id.toHexString())).toBeUndefined();
    const { rows } = await pool().query(
      `SELECT tombstoned FROM migration_deletions WHERE collection = 'configsettings' AND legacy_object_id = $1`,
      [id.toHexString()],
    );
    expect(rows).toEqual([{ tombstoned: false }]);
  });

  it('a 24-hex STRING _id is synced as the string, never taken for an ObjectId', async () => {
    const hex = new ObjectId().toHexString();
    // A pre-2024 setting: the string _id is the key (configsettings' mapper takes it when `key` is absent).
    await settings().insertOne({ _id: hex, value: 'string-keyed' } as Document);
    await recordGap(stores, { collection: 'configsettings', id: hex, op: 'upsert', error: new Error('x') });
    const [gap] = await gapOf('configsettings', hex);
    expect(gap!.id_json).toBe(JSON.stringify(hex));

    expect(await drainGaps(stores)).toMatchObject({ claimed: 1, resolved: 1 });
    // Read as an ObjectId the document would not exist, and the sync would find nothing to write.
    expect(await settingRow(hex)).toEqual({ key: hex, value: 'string-keyed' });
  });

  it('a claim whose gap a newer failure refreshed is not resolved: the new failure is kept', async () => {
    const id = new ObjectId();
    await settings().insertOne({ _id: id, key: 'raced', value: 1 });
    await recordGap(stores, { collection: 'configsettings', id, op: 'upsert', error: new Error('first') });
    const claimed = await claimDueGaps(pool(), { limit: 10, leaseMs: 60_000 });
    expect(claimed.map((g) => g.legacyId)).toEqual([id.toHexString()]);
    // While that drain syncs, the document changes again and its sync fails again.
    await settings().updateOne({ _id: id }, { $set: { value: 2 } });
    await recordGap(stores, { collection: 'configsettings', id, op: 'upsert', error: new Error('second') });
    expect(await resolveGaps(pool(), claimed)).toBe(0);
    expect(await gapOf('configsettings', id.toHexString())).toMatchObject([{ status: 'open', attempts: 1 }]);

    expect(await drainGaps(stores)).toMatchObject({ claimed: 1, resolved: 1 });
    expect(await settingRow(id.toHexString())).toEqual({ key: 'raced', value: 2 });
  });

  it('reverse gaps are left to their own drain', async () => {
    const id = new ObjectId();
    await recordGap(stores, {
      collection: 'configsettings',
      id,
      op: 'upsert',
      direction: 'reverse',
      error: new Error('mongo write failed'),
    });
    expect(await drainGaps(stores)).toMatchObject({ claimed: 0 });
    expect(await gapOf('configsettings', id.toHexString())).toMatchObject([
      { status: 'open', attempts: 0, direction: 'reverse' },
    ]);
    await pool().query(`UPDATE pg_dualwrite_gaps SET status = 'resolved' WHERE legacy_object_id = $1`, [
      id.toHexString(),
    ]);
  });

  it('a MongoDB out of reach fails the whole batch at once and backs it off, without one try per document', async () => {
    const ids = [new ObjectId(), new ObjectId(), new ObjectId()];
    for (const id of ids)
      await recordGap(stores, { collection: 'configsettings', id, op: 'upsert', error: new Error('x') });
    const closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const unreachable = new MongoClient(`mongodb://127.0.0.1:${closedPort}/nowhere`, {
      serverSelectionTimeoutMS: 400,
    });
    try {
      const started = Date.now();
      const result = await drainGaps({ pool: pool(), mongo: unreachable.db() });
      expect(result).toMatchObject({ claimed: 3, resolved: 0, retrying: 3 });
      // One server selection timeout for the batch, not one more per document.
      expect(Date.now() - started).toBeLessThan(1_200);
      for (const id of ids) {
        const [gap] = await gapOf('configsettings', id.toHexString());
        expect(gap).toMatchObject({ status: 'open', attempts: 1 });
        expect(gap!.last_error).toMatch(/Mongo\w*Error/);
      }
    } finally {
      await unreachable.close();
    }
    await pool().query(
      `UPDATE pg_dualwrite_gaps SET next_attempt_at = now() WHERE legacy_object_id = ANY($1)`,
      [ids.map((id) => id.toHexString())],
    );
    await settings().insertMany(ids.map((_id, i) => ({ _id, key: `back.${i}`, value: i })));
    expect(await drainGaps(stores)).toMatchObject({ claimed: 3, resolved: 3 });
  });

  describe('failures', () => {
    beforeAll(async () => {
      // A real Postgres refusal that is not the document's fault (not SQLSTATE 22/23, so not a reject):
      // syncDocuments throws for these rows until the trigger is dropped.
      await pool().query(`
        CREATE FUNCTION refuse_failing_settings() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.key LIKE 'fail-%' THEN
            RAISE EXCEPTION 'settings writes are paused' USING ERRCODE = '55000';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_failing_settings BEFORE INSERT OR UPDATE ON config_settings
          FOR EACH ROW EXECUTE FUNCTION refuse_failing_settings();`);
    });

    it('back off exponentially with jitter, go dead after maxAttempts, and --retry-dead reopens them', async () => {
      const failing = new ObjectId();
      const fine = new ObjectId();
      await settings().insertMany([
        { _id: failing, key: 'fail-1', value: 1 },
        { _id: fine, key: 'fine-1', value: 1 },
      ]);
      for (const id of [failing, fine])
        await recordGap(stores, { collection: 'configsettings', id, op: 'upsert', error: new Error('x') });

      const options = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 0.5 };
      // One batch holds both: the failing one must not hold back the other.
      expect(await drainGaps(stores, options)).toMatchObject({ claimed: 2, resolved: 1, retrying: 1 });
      expect(await settingRow(fine.toHexString())).toEqual({ key: 'fine-1', value: 1 });

      const delays: number[] = [];
      for (let attempt = 1; attempt <= 4; attempt++) {
        const [gap] = await gapOf('configsettings', failing.toHexString());
        expect(gap!.attempts).toBe(attempt);
        expect(gap!.last_error).toContain(`configsettings ${failing.toHexString()}`);
        expect(gap!.last_error).toContain('SQLSTATE 55000');
        if (attempt < 4) {
          expect(gap!.status).toBe('open');
          delays.push(gap!.delay_ms!);
          await sleep(gap!.delay_ms! + 20);
          // Due now: the next drain claims it again.
          expect(await drainGaps(stores, options)).toMatchObject({ claimed: 1, resolved: 0 });
        } else {
          expect(gap!.status).toBe('dead');
        }
      }
      // base × 2^(n−1) × [1, 1.5), counted from the claim (so plus the sync's own time): each wait
      // longer than the one before.
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(100 * 2 ** i - 1);
        expect(delay).toBeLessThan(150 * 2 ** i + 250);
      });
      expect(delays[1]!).toBeGreaterThan(delays[0]!);
      expect(delays[2]!).toBeGreaterThan(delays[1]!);
      // A dead gap is not drained.
      expect(await drainGaps(stores, options)).toMatchObject({ claimed: 0 });

      // The operator sees it, fixes the cause and reopens it.
      const env = {
        PG_URL: stack.config.PG_URL,
        MONGO_URL: stack.config.MONGO_URL,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
      };
      const listed = await runCli(['gaps', '--json', '--collection', 'configsettings'], env);
      expect(listed.code, listed.stderr).toBe(0);
      const body = JSON.parse(listed.stdout) as {
        dead: number;
        byCollection: { collection: string; direction: string; dead: number }[];
        gaps: { legacyId: string; status: string; attempts: number }[];
        pendingInFallback: number;
      };
      expect(body.dead).toBe(1);
      expect(body.byCollection).toContainEqual(
        expect.objectContaining({ collection: 'configsettings', direction: 'forward', dead: 1 }),
      );
      expect(body.gaps).toContainEqual(
        expect.objectContaining({ legacyId: failing.toHexString(), status: 'dead', attempts: 4 }),
      );
      expect(body.pendingInFallback).toBe(0);
      const text = await runCli(['gaps'], env);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/configsettings\s+forward\s+\d+\s+1/);
      expect(text.stderr).toMatch(/1 dead gap/);

      await pool().query(`DROP TRIGGER refuse_failing_settings ON config_settings`);
      const retried = await runCli(['gaps', '--retry-dead', '--json'], env);
      expect(retried.code, retried.stderr).toBe(0);
      expect(JSON.parse(retried.stdout)).toEqual({ reopened: 1 });
      expect(await gapOf('configsettings', failing.toHexString())).toMatchObject([
        { status: 'open', attempts: 0 },
      ]);
      expect(await drainGaps(stores, options)).toMatchObject({ claimed: 1, resolved: 1 });
      expect(await settingRow(failing.toHexString())).toEqual({ key: 'fail-1', value: 1 });
    });

    it('a document with a dead gap and an open one: the open one reopens nothing twice and resolves both', async () => {
      await pool()
        .query(`CREATE OR REPLACE TRIGGER refuse_failing_settings BEFORE INSERT OR UPDATE ON config_settings
                            FOR EACH ROW EXECUTE FUNCTION refuse_failing_settings()`);
      const id = new ObjectId();
      await settings().insertOne({ _id: id, key: 'fail-2', value: 1 });
      await recordGap(stores, { collection: 'configsettings', id, op: 'upsert', error: new Error('x') });
      expect(await drainGaps(stores, { maxAttempts: 1 })).toMatchObject({ dead: 1 });
      // A later failure of the same document opens a new gap beside the dead one.
      await recordGap(stores, { collection: 'configsettings', id, op: 'upsert', error: new Error('y') });
      expect(await reopenDeadGaps(pool(), { collection: 'configsettings' })).toBe(0);
      expect((await gapOf('configsettings', id.toHexString())).map((g) => g.status)).toEqual([
        'dead',
        'open',
      ]);

      await pool().query(`DROP TRIGGER refuse_failing_settings ON config_settings`);
      expect(await drainGaps(stores)).toMatchObject({ claimed: 1, resolved: 1 });
      expect((await gapOf('configsettings', id.toHexString())).map((g) => g.status)).toEqual([
        'resolved',
        'resolved',
      ]);
    });
  });
});
