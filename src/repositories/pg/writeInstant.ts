import { sql, type SQL } from 'drizzle-orm';
import type pg from 'pg';

/**
 * The instant a Postgres write stamps a document with, read once per transaction AFTER its locks are
 * held: `created_at` / `updated_at` (as Mongoose's timestamps would) and `source_updated_at` (the
 * document's version, `updatedAt` as versionOf reads it). Postgres' clock, as every stamp of the write
 * guard; truncated to milliseconds, as a BSON date holds, so the document mirrored to MongoDB and mapped
 * again gives back the same row.
 */
export async function writeInstant(client: pg.ClientBase): Promise<Date> {
  const { rows } = await client.query<{ at: Date }>(
    `SELECT date_trunc('milliseconds', clock_timestamp()) AS at`,
  );
  return rows[0]!.at;
}

/**
 * `source_read_at` of a row a Postgres write changes (the read-time guard, docs/data-policy.md
 * "Versions"): the exact clock at the statement, not truncated, so it is never older than the stamp of
 * a forward writer that committed before this write took its document locks, and no writer that began
 * earlier may replace the row. Computed in SQL: a JS Date would drop its microseconds.
 */
export const guardStamp = (): SQL => sql`clock_timestamp()`;
