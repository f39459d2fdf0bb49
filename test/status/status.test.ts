import { sql } from 'drizzle-orm';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../src/collections/registry.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { collectionStatuses } from '../../src/status/collections.js';
import { openDeps, type WorkerDeps } from '../../src/workers/deps.js';
import { runCli } from '../support/cli.js';
import { startTestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { TEST_REDIS_URL } from '../support/env.js';

describe('collection status', () => {
  let pgDb: TestDatabase;
  let mongo: Awaited<ReturnType<typeof startTestMongo>>;
  let deps: WorkerDeps;
  let env: Record<string, string>;
  const prefix = uniquePrefix('status');

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    mongo = await startTestMongo();
    env = { PG_URL: pgDb.url, MONGO_URL: mongo.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
    deps = await openDeps(loadConfig(env), createLogger('silent'));

    const client = new MongoClient(mongo.url);
    try {
      await client
        .db(mongo.dbName)
        .collection('levelconfigs')
        .insertMany([{ level: 1 }, { level: 2 }, { level: 3 }]);
    } finally {
      await client.close();
    }
    await deps.db.execute(sql`
      INSERT INTO level_configs (id, legacy_object_id, level) VALUES (gen_random_uuid(), 'a', 1), (gen_random_uuid(), 'b', 2)`);
    // A tombstone: its document left MongoDB but the row is kept; it counts as deleted, not as migrated.
    await deps.db.execute(sql`
      INSERT INTO level_configs (id, legacy_object_id, level, source_deleted_at) VALUES (gen_random_uuid(), 'e', 9, now())`);
    await deps.db.execute(sql`
      INSERT INTO migration_deletions (collection, legacy_object_id, tombstoned) VALUES ('levelconfigs', 'e', true), ('levelconfigs', 'f', false)`);
    await deps.db.execute(sql`
      INSERT INTO migration_rejects (collection, legacy_object_id, reason, message, raw, resolved_at) VALUES
        ('levelconfigs', 'c', 'invalid_type', 'level is a string', '{}', NULL),
        ('levelconfigs', 'd', 'invalid_type', 'fixed', '{}', now()),
        ('users', 'u1', 'orphan_reference', 'no level', '{}', NULL)`);
    await deps.db.execute(sql`
      INSERT INTO migration_anomalies (collection, legacy_object_id, code, field, message) VALUES
        ('users', 'u2', 'dangling_reference', 'referredBy', 'gone')`);
    await deps.db.execute(sql`
      INSERT INTO pg_dualwrite_gaps (collection, legacy_object_id, op, status) VALUES
        ('users', 'u3', 'upsert', 'open'), ('users', 'u4', 'upsert', 'open'), ('users', 'u5', 'upsert', 'resolved')`);
    await deps.db.execute(
      sql`INSERT INTO collection_modes (collection, mode) VALUES ('levelconfigs', 'dual')`,
    );
    // Two runs: the status reports the newer one's state for levelconfigs.
    await deps.db.execute(sql`
      WITH old AS (
        INSERT INTO backfill_runs (status, collections, chunk_size, created_at, finished_at)
        VALUES ('failed', '{levelconfigs}', 2000, now() - interval '1 day', now() - interval '1 day') RETURNING id
      )
      INSERT INTO backfill_run_collections (run_id, collection, status, waiting_on) SELECT id, 'levelconfigs', 'failed', 0 FROM old`);
    await deps.db.execute(sql`
      WITH run AS (
        INSERT INTO backfill_runs (id, status, collections, chunk_size, finished_at)
        VALUES ('11111111-1111-4111-8111-111111111111', 'completed', '{levelconfigs}', 2000, '2024-05-01T12:00:00Z') RETURNING id
      )
      INSERT INTO backfill_run_collections (run_id, collection, status, waiting_on, finished_at)
      SELECT id, 'levelconfigs', 'completed', 0, '2024-05-01T12:00:00Z' FROM run`);
  });
  afterAll(async () => {
    await deps?.close();
    await mongo?.stop();
    await pgDb?.drop();
    await deletePrefix(prefix);
  });

  it('reports every registered collection, parents first, with counts from both sides', async () => {
    const statuses = await collectionStatuses(deps);
    expect(statuses.map((s) => s.name)).toEqual([...REGISTRY.order]);
    const levels = statuses.find((s) => s.name === 'levelconfigs');
    expect(levels).toEqual({
      name: 'levelconfigs',
      phase: REGISTRY.get('levelconfigs').phase,
      table: 'level_configs',
      mode: 'dual',
      source: 3,
      migrated: 2,
      rejected: 1,
      deleted: 2,
      anomalies: 0,
      gapsOpen: 0,
      lastBackfill: {
        runId: '11111111-1111-4111-8111-111111111111',
        status: 'completed',
        finishedAt: new Date('2024-05-01T12:00:00Z'),
      },
      lastVerification: null,
    });
    const users = statuses.find((s) => s.name === 'users');
    expect(users).toMatchObject({
      mode: 'mongo',
      source: 0,
      migrated: 0,
      rejected: 1,
      deleted: 0,
      anomalies: 1,
      gapsOpen: 2,
      lastBackfill: null,
    });
  });

  it('`status --json` prints one JSON object with the contract keys for each collection', async () => {
    const result = await runCli(['status', '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { collections: Record<string, unknown>[] };
    expect(parsed.collections.map((c) => c.name)).toEqual([...REGISTRY.order]);
    for (const collection of parsed.collections) {
      for (const key of [
        'name',
        'mode',
        'source',
        'migrated',
        'rejected',
        'deleted',
        'gapsOpen',
        'lastVerification',
      ]) {
        expect(collection, `${String(collection.name)}.${key}`).toHaveProperty(key);
      }
      expect(typeof collection.source).toBe('number');
      expect(typeof collection.migrated).toBe('number');
    }
    expect(parsed.collections.find((c) => c.name === 'levelconfigs')).toMatchObject({
      source: 3,
      migrated: 2,
      deleted: 2,
      mode: 'dual',
    });
  });

  it('`status` prints an aligned table', async () => {
    const result = await runCli(['status'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^COLLECTION\s+PHASE\s+MODE\s+SOURCE\s+MIGRATED\s+REJECTED\s+DELETED/);
    expect(lines).toHaveLength(REGISTRY.order.length + 1);
    const row = lines.find((line) => line.startsWith('levelconfigs'));
    expect(row).toMatch(/levelconfigs\s+\d\s+dual\s+3\s+2\s+1\s+2\s+0\s+0\s+completed 11111111/);
    // Right-aligned numbers: the SOURCE column ends at the same offset on every line.
    const end = lines[0]!.indexOf('SOURCE') + 'SOURCE'.length;
    for (const line of lines.slice(1)) expect(line[end - 1]).toMatch(/\d/);
  });

  it('`rejects` lists open rejects, filtered, as a table or JSON', async () => {
    const table = await runCli(['rejects'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^COLLECTION\s+_ID\s+REASON\s+FIELD\s+MESSAGE/);
    expect(table.stdout).toContain('level is a string');
    expect(table.stdout).not.toContain('fixed');
    expect(table.stderr).toContain('2 of 2 open reject(s)');

    const json = await runCli(['rejects', '--collection', 'users', '--json'], env);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      total: number;
      rejects: { legacyId: string; reason: string }[];
    };
    expect(parsed.total).toBe(1);
    expect(parsed.rejects).toMatchObject([{ legacyId: 'u1', reason: 'orphan_reference' }]);
  });

  it('a dead service is one line naming it', async () => {
    const result = await runCli(['status', '--json'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^strangler: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
