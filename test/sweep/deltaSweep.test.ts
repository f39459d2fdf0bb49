import { ObjectId } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/backfill/start.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { changeMode } from '../../src/modes/changeMode.js';
import { APPEND_ONLY_COLLECTIONS, clockOf } from '../../src/sweep/clock.js';
import { sweepCollection, sweepCollections, type SweepContext } from '../../src/sweep/deltaSweep.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { runCli } from '../support/cli.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { mappingProblems } from './oracle.js';
import { gapGates } from '../../src/modes/gates/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('delta sweep: the backstop for dual writes lost with their process', () => {
  let stack: TestStack;
  let ctx: SweepContext;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 400, seed: 11, quirkRate: 0 });
    stack.startWorkers(2);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 200 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    await stack.stopWorkers();
    ctx = { pool: stack.pg.db.$client, mongo: stack.deps.mongo };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const toDual = async (collection: string) => {
    const move = await changeMode(
      stack.deps.db,
      { collection, to: 'dual', actor: 'test' },
      { gates: gapGates(stack.deps.db) },
    );
    return move.change!.changedAt;
  };
  const checkpointOf = async (collection: string) =>
    (
      await stack.pg.db.$client.query<{ swept_to: Date; scanned: number }>(
        `SELECT swept_to, scanned FROM sweep_checkpoints WHERE collection = $1`,
        [collection],
      )
    ).rows[0];

  it('knows the append-only collections by their specs and the legacy schema', () => {
    for (const name of APPEND_ONLY_COLLECTIONS) expect(REGISTRY.order).toContain(name);
    expect(clockOf('pointtransactions')).toBe('objectId');
    expect(clockOf('users')).toBe('updatedAt');
  });

  it('sweeps nothing of a collection still in mongo mode', async () => {
    const result = await sweepCollections(ctx, { collections: ['users', 'addresses'] });
    expect(result.collections.map((c) => [c.collection, c.status, c.scanned])).toEqual([
      ['users', 'skipped', 0],
      ['addresses', 'skipped', 0],
    ]);
    expect(await checkpointOf('users')).toBeUndefined();
  });

  it('(a) dual: documents changed straight in MongoDB reach Postgres in one sweep; older ones are not read again', async () => {
    const users = stack.source.collection<Document>('users');
    const leftMongo = await toDual('users');

    // What an app that died before its sync leaves: MongoDB written, Postgres not, no gap.
    const updated = await users
      .find({ email: { $type: 'string' }, updatedAt: { $type: 'date' } }, { limit: 5, sort: { _id: 1 } })
      .toArray();
    for (const [i, user] of updated.entries())
      await users.updateOne(
        { _id: user._id },
        { $set: { 'profile.displayName': `Swept ✨ ${i}`, updatedAt: new Date() } },
      );
    const template = updated[0]!;
    const newUser = (label: string, extra: Document = {}): Document & { _id: ObjectId } => {
      const _id = new ObjectId();
      return {
        ...template,
        _id,
        email: `${label}-${_id.toHexString()}@example.com`,
        referralCode: `ref-${_id.toHexString()}`,
        ...extra,
      };
    };
    const inserted = [0, 1, 2].map((i) =>
      newUser(`new${i}`, { createdAt: new Date(), updatedAt: new Date() }),
    );
    // No updatedAt (older than the timestamps plugin, or a raw insert) and a non-date one: by ObjectId time.
    const { updatedAt: _, ...withoutUpdatedAt } = newUser('noupdatedat');
    const stringUpdatedAt = newUser('stringupdatedat', { updatedAt: '2026-01-01' });
    await users.insertMany([...inserted, withoutUpdatedAt, stringUpdatedAt]);
    // An update that does not bump updatedAt is invisible to a change scan (verification's job).
    const unbumped = (await users.findOne({
      _id: { $nin: updated.map((u) => u._id) },
      email: { $type: 'string' },
    }))!;
    await users.updateOne({ _id: unbumped._id }, { $set: { 'profile.displayName': 'Not bumped' } });
    const changedIds = [
      ...updated.map((u) => u._id),
      ...inserted.map((u) => u._id),
      withoutUpdatedAt._id,
      stringUpdatedAt._id,
    ];
    expect(await mappingProblems(ctx.pool, ctx.mongo, 'users', changedIds)).not.toEqual([]);
    // ObjectIds carry whole seconds: let the second of these writes end before the sweep takes its instant.
    await sleep(1_100);

    const first = await sweepCollections(ctx, { collections: ['users'] });
    const users1 = first.collections[0]!;
    expect(users1).toMatchObject({
      collection: 'users',
      mode: 'dual',
      clock: 'updatedAt',
      status: 'swept',
      scanned: changedIds.length,
      // The string updatedAt does not map (invalid_type): a reject with its reason, as a backfill makes it.
      synced: changedIds.length - 1,
      rejected: 1,
      departed: 0,
      gaps: 0,
    });
    const rejects = await ctx.pool.query<{ id: string; reason: string; field: string }>(
      `SELECT legacy_object_id AS id, reason, field FROM migration_rejects
        WHERE collection = 'users' AND resolved_at IS NULL AND legacy_object_id = ANY($1)`,
      [changedIds.map((id) => id.toHexString())],
    );
    expect(rejects.rows).toEqual([
      { id: stringUpdatedAt._id.toHexString(), reason: 'invalid_type', field: 'updatedAt' },
    ]);
    // The first sweep starts where the mode left mongo, less the overlap: the backfill covered the rest.
    expect(users1.from!.getTime()).toBe(leftMongo.getTime() - 60_000);
    expect(await mappingProblems(ctx.pool, ctx.mongo, 'users', changedIds)).toEqual([]);
    const { rows } = await ctx.pool.query<{ name: string | null }>(
      `SELECT profile_display_name AS name FROM users WHERE legacy_object_id = $1`,
      [unbumped._id.toHexString()],
    );
    expect(rows[0]!.name).not.toBe('Not bumped');
    expect((await checkpointOf('users'))!.swept_to).toEqual(users1.to);

    // Nothing changed since: with no overlap, nothing older than the checkpoint is read again.
    const again = await sweepCollection(ctx, 'users', { overlapMs: 0 });
    expect(again).toMatchObject({ status: 'swept', scanned: 0, from: users1.to });

    // One more change: only it is read.
    await users.updateOne(
      { _id: updated[1]!._id },
      { $set: { 'profile.displayName': 'Swept twice', updatedAt: new Date() } },
    );
    const third = await sweepCollection(ctx, 'users', { overlapMs: 0 });
    expect(third).toMatchObject({ status: 'swept', scanned: 1, synced: 1 });
    expect(third.from!.getTime()).toBeGreaterThanOrEqual(again.to!.getTime());
    expect(await mappingProblems(ctx.pool, ctx.mongo, 'users', [updated[1]!._id])).toEqual([]);

    // With the default overlap (60 s, for writers' clocks and writes in flight) the recent ones are read
    // again, harmlessly: the rows are already what MongoDB has.
    const versions = async () =>
      (
        await ctx.pool.query<{ v: string }>(
          `SELECT string_agg(legacy_object_id || ':' || xmin::text, ',' ORDER BY legacy_object_id) AS v
             FROM users WHERE legacy_object_id = ANY($1)`,
          [changedIds.map((id) => id.toHexString())],
        )
      ).rows[0]!.v;
    const before = await versions();
    const overlapping = await sweepCollection(ctx, 'users');
    expect(overlapping).toMatchObject({
      status: 'swept',
      scanned: changedIds.length,
      synced: changedIds.length - 1,
      rejected: 1,
    });
    expect(await versions()).toBe(before);
  });

  it('(b) append-only: a collection without updatedAt is swept by ObjectId creation time', async () => {
    const points = stack.source.collection<Document>('pointtransactions');
    const leftMongo = await toDual('pointtransactions');
    const template = (await points.findOne({ userId: { $type: 'objectId' } }))!;
    const fresh = Array.from({ length: 4 }, (_, i) => ({ ...template, _id: new ObjectId(), points: 10 + i }));
    // Minted long before the window (a client-made id, inserted now): its ObjectId time is all the sweep
    // knows of a document without updatedAt, so it is not seen.
    const oldId = { ...template, _id: ObjectId.createFromTime(Math.floor(Date.parse('2024-06-01') / 1000)) };
    // A Mongoose-style updatedAt on an append-only document does not make it visible either: append-only
    // collections are read by `_id` alone (the index a change scan can use there).
    const existing = (await points.findOne({ _id: { $ne: template._id } }))!;
    await points.updateOne({ _id: existing._id }, { $set: { points: 999_999, updatedAt: new Date() } });
    await points.insertMany([...fresh, oldId]);
    await sleep(1_100);

    const result = await sweepCollections(ctx, { collections: ['pointtransactions'] });
    expect(result.collections[0]).toMatchObject({
      collection: 'pointtransactions',
      clock: 'objectId',
      status: 'swept',
      scanned: fresh.length,
      synced: fresh.length,
      rejected: 0,
    });
    expect(result.collections[0]!.from!.getTime()).toBe(leftMongo.getTime() - 60_000);
    expect(
      await mappingProblems(
        ctx.pool,
        ctx.mongo,
        'pointtransactions',
        fresh.map((d) => d._id),
      ),
    ).toEqual([]);
    const { rows } = await ctx.pool.query(`SELECT 1 FROM point_transactions WHERE legacy_object_id = $1`, [
      oldId._id.toHexString(),
    ]);
    expect(rows).toEqual([]);
    const again = await sweepCollection(ctx, 'pointtransactions', { overlapMs: 0 });
    expect(again).toMatchObject({ status: 'swept', scanned: 0 });
  });

  it('a document whose sync fails becomes a gap for the drain; the others and the checkpoint move on', async () => {
    await toDual('configsettings');
    await ctx.pool.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.key = 'sweep.poison' THEN RAISE EXCEPTION 'poisoned row'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON config_settings
        FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
    try {
      const ids = Array.from({ length: 5 }, () => new ObjectId());
      const now = new Date();
      await stack.source.collection<Document>('configsettings').insertMany(
        ids.map((_id, i) => ({
          _id,
          key: i === 2 ? 'sweep.poison' : `sweep.ok.${i}`,
          value: { i },
          updatedAt: now,
        })),
      );
      const result = await sweepCollection(ctx, 'configsettings');
      expect(result).toMatchObject({ status: 'swept', scanned: 5, synced: 4, gaps: 1 });
      expect((await checkpointOf('configsettings'))!.swept_to).toEqual(result.to);
      const { rows } = await ctx.pool.query<{ id: string; status: string; error: string }>(
        `SELECT legacy_object_id AS id, status, last_error AS error FROM pg_dualwrite_gaps WHERE collection = 'configsettings'`,
      );
      expect(rows).toEqual([
        { id: ids[2]!.toHexString(), status: 'open', error: expect.stringContaining('poisoned row') },
      ]);
      const healthy = ids.filter((_, i) => i !== 2);
      expect(await mappingProblems(ctx.pool, ctx.mongo, 'configsettings', healthy)).toEqual([]);
    } finally {
      await ctx.pool.query(`DROP TRIGGER refuse_poison ON config_settings; DROP FUNCTION refuse_poison();`);
    }
  });

  it('one sweep of a collection at a time: a second one skips it', async () => {
    const lock = await ctx.pool.connect();
    try {
      await lock.query(`SELECT pg_advisory_lock(hashtextextended('strangler:sweep:' || $1, 0))`, ['users']);
      const result = await sweepCollection(ctx, 'users');
      expect(result).toMatchObject({ status: 'skipped', reason: expect.stringContaining('another sweep') });
    } finally {
      await lock.query(`SELECT pg_advisory_unlock_all()`);
      lock.release();
    }
  });
  it('strangler sweep runs one round now and prints the counts', async () => {
    const users = stack.source.collection<Document>('users');
    const target = (await users.findOne({ email: { $type: 'string' }, updatedAt: { $type: 'date' } }))!;
    await users.updateOne(
      { _id: target._id },
      { $set: { 'profile.displayName': 'From the CLI', updatedAt: new Date() } },
    );
    const env = { PG_URL: stack.config.PG_URL, MONGO_URL: stack.config.MONGO_URL };
    const result = await runCli(
      ['sweep', '--collections', 'users,pointtransactions,addresses', '--json'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as {
      collections: { collection: string; status: string; scanned: number }[];
    };
    expect(out.collections.map((c) => [c.collection, c.status])).toEqual([
      ['users', 'swept'],
      ['addresses', 'skipped'],
      ['pointtransactions', 'swept'],
    ]);
    expect(out.collections[0]!.scanned).toBeGreaterThanOrEqual(1);
    expect(await mappingProblems(ctx.pool, ctx.mongo, 'users', [target._id])).toEqual([]);

    const table = await runCli(['sweep', '--collections', 'users'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^COLLECTION\s+MODE\s+CLOCK\s+STATUS/);
    expect(table.stdout).toMatch(/users\s+dual\s+updatedAt\s+swept/);

    const typo = await runCli(['sweep', '--collections', 'userz'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown collection "userz"');
  }, 120_000);
});
