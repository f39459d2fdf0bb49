import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface PgOptions {
  url: string;
  /** Pool size; mirrors the legacy Mongo `maxPoolSize: 10` (plan §2). @defaultValue 10 */
  max?: number;
  applicationName?: string;
}

// numeric (money) and bigint stay strings end to end: pg's default text parsing for them is exactly
// what we want, so no type parser is installed for 1700/20. Timestamps parse to Date (pg default).

export function createPool({ url, max = 10, applicationName = 'strangler' }: PgOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName });
  // An idle client that loses its server emits 'error' on the pool; unhandled, that kills the process.
  pool.on('error', () => undefined);
  return pool;
}

export function createDb(options: PgOptions): Db {
  return drizzle(createPool(options), { schema }) as Db;
}
