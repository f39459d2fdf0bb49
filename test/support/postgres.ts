import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../src/db/client.js';
import { inject } from 'vitest';
import { TEST_DB_PREFIX, TEST_PG_ADMIN_URL, pgUrlFor } from './env.js';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A Drizzle client on the clone; closed by drop(). */
  readonly db: Db;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database cloned from the template that globalSetup built. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('pgTemplate')}"`));
  const url = pgUrlFor(name);
  const db = createDb({ url, max: 5 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.$client.end();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** An empty database (no migrations), for testing `db migrate` itself. */
export async function createEmptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}_empty`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: pgUrlFor(name),
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
