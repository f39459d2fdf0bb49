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
  return guardedPool({ connectionString: url, max, application_name: applicationName });
}

/**
 * A pool like `pool` (same server, credentials and settings: pg-pool keeps its config as `options`),
 * with its own size and name.
 */
export function poolLike(pool: pg.Pool, max: number, applicationName: string): pg.Pool {
  const { options } = pool as unknown as { options: pg.PoolConfig };
  return guardedPool({ ...options, max, application_name: applicationName });
}

function guardedPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  // A client that loses its server emits 'error': an idle one on the pool, a checked-out one on the
  // client itself. Unhandled, either kills the process (a Postgres outage must cost a dual write a gap,
  // never the application). The query in flight still rejects, so nothing is silently dropped.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function createDb(options: PgOptions): Db {
  return drizzle(createPool(options), { schema }) as Db;
}
