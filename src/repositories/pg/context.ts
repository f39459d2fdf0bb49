import type pg from 'pg';

/**
 * What every Drizzle (Postgres-authoritative) repository holds: the pool of the target database. The
 * repository takes a client per call, and one transaction per write; it never ends the pool.
 */
export interface PgContext {
  pool: pg.Pool;
}
