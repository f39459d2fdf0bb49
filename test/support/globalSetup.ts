import pg from 'pg';
import { migrateDatabase } from '../../src/db/migrate.js';
import { TEMPLATE_DB, TEST_DB_PREFIX, TEST_PG_ADMIN_URL, pgUrlFor } from './env.js';

/**
 * Migrates one template database per test run; every test file clones it (CREATE DATABASE … TEMPLATE),
 * which costs milliseconds instead of re-running migrations per file.
 */
async function dropTestDatabases(admin: pg.Client, includeTemplate: boolean): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 OR ($2 AND datname = $3)`,
    [`${TEST_DB_PREFIX}%`, includeTemplate, TEMPLATE_DB],
  );
  for (const { datname } of rows) {
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await dropTestDatabases(admin, true);
  } finally {
    await admin.end();
  }
  await migrateDatabase(pgUrlFor(TEMPLATE_DB));

  return async () => {
    const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await client.connect();
    try {
      await dropTestDatabases(client, false);
    } finally {
      await client.end();
    }
  };
}
