import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { createDb } from './client.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

// Any constant works; it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK_KEY = 0x5354524e; // "STRN"

/** Creates the target database when it does not exist yet, connecting to the server's `postgres` db. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return false;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    return true;
  } catch (error) {
    // Two processes racing to create it: the loser sees duplicate_database (42P04), which is fine.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await client.end();
  }
}

export interface MigrateResult {
  createdDatabase: boolean;
  applied: number;
}

/**
 * Applies the committed drizzle-kit migrations. Idempotent, and safe when several workers start at
 * once: an advisory lock serialises them and drizzle skips what `__drizzle_migrations` already holds.
 */
export async function migrateDatabase(url: string): Promise<MigrateResult> {
  const createdDatabase = await ensureDatabase(url);
  const db = createDb({ url, max: 2, applicationName: 'strangler-migrate' }); // one holds the lock, one migrates
  try {
    const client = await db.$client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const before = await countApplied(client);
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      const after = await countApplied(client);
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      return { createdDatabase, applied: after - before };
    } finally {
      client.release();
    }
  } finally {
    await db.$client.end();
  }
}

async function countApplied(client: pg.PoolClient): Promise<number> {
  const exists = await client.query(`SELECT to_regclass('drizzle.__drizzle_migrations') AS t`);
  if (!exists.rows[0]?.t) return 0;
  const { rows } = await client.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
  return rows[0]?.n ?? 0;
}
