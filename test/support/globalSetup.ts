import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrateDatabase } from '../../src/db/migrate.js';
import { TEMPLATE_DB_PREFIX, TEST_DB_PREFIX, TEST_PG_ADMIN_URL, pgUrlFor } from './env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template database of this test run; every test file clones it. */
    pgTemplate: string;
  }
}

/** Whether the process that named a test database is still running (its pid is in the name). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Drops test databases left by runs that died, never those of a run still going: several vitest runs
 * (a developer's and a helper's, say) can share one Postgres.
 */
async function dropDatabases(
  admin: pg.Client,
  filter: (name: string, pid: number) => boolean,
): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
    [`${TEST_DB_PREFIX}%`, `${TEMPLATE_DB_PREFIX}%`],
  );
  for (const { datname } of rows) {
    const pid = Number(/_(\d+)(?:_|$)/.exec(datname)?.[1]);
    if (filter(datname, pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

async function withAdmin(fn: (admin: pg.Client) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await fn(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Migrates one template database per test run; every test file clones it (CREATE DATABASE … TEMPLATE),
 * which costs milliseconds instead of re-running migrations per file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await withAdmin((admin) => dropDatabases(admin, (_name, pid) => !Number.isFinite(pid) || !alive(pid)));
  const template = `${TEMPLATE_DB_PREFIX}${process.pid}`;
  await migrateDatabase(pgUrlFor(template));
  project.provide('pgTemplate', template);

  return () => withAdmin((admin) => dropDatabases(admin, (name) => name === template));
}
