import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/db/migrate.js';
import { createEmptyDatabase } from '../support/postgres.js';

/** Everything that defines the schema, as one comparable snapshot. */
async function schemaSnapshot(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`,
    );
    const indexes = await client.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`,
    );
    const constraints = await client.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
    );
    return JSON.stringify([columns.rows, indexes.rows, constraints.rows]);
  } finally {
    await client.end();
  }
}

describe('strangler db migrate', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  beforeAll(async () => {
    database = await createEmptyDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('builds the schema on an empty database, and a second run changes nothing', async () => {
    const first = await migrateDatabase(database.url);
    expect(first.applied).toBeGreaterThan(0);
    const afterFirst = await schemaSnapshot(database.url);
    expect(afterFirst).toContain('"id_map"');
    expect(afterFirst).toContain('id_map_collection_legacy_uq');
    expect(afterFirst).toContain('"pg_dualwrite_gaps"');

    const second = await migrateDatabase(database.url);
    expect(second).toEqual({ createdDatabase: false, applied: 0 });
    expect(await schemaSnapshot(database.url)).toBe(afterFirst);
  });

  it('concurrent migrators serialise on the advisory lock', async () => {
    const results = await Promise.all([migrateDatabase(database.url), migrateDatabase(database.url)]);
    expect(results.map((r) => r.applied)).toEqual([0, 0]);
  });

  it('id_map refuses a second uuid for the same legacy id', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO id_map (collection, legacy_object_id) VALUES ('users', 'aaaaaaaaaaaaaaaaaaaaaaaa')`,
      );
      await expect(
        client.query(
          `INSERT INTO id_map (collection, legacy_object_id) VALUES ('users', 'aaaaaaaaaaaaaaaaaaaaaaaa')`,
        ),
      ).rejects.toMatchObject({ code: '23505', constraint: 'id_map_collection_legacy_uq' });
    } finally {
      await client.end();
    }
  });
});
