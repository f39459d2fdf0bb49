import { count, eq, isNull, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { dualwriteGaps } from '../db/schema/dualwriteGaps.js';
import {
  collectionModes,
  migrationAnomalies,
  migrationDeletions,
  migrationRejects,
} from '../db/schema/backfill.js';

/**
 * The per-collection numbers the board, `status` and /metrics share. Each function is ONE query for
 * every collection (GROUP BY or UNION ALL), so a status page costs a handful of round trips however
 * many collections are registered.
 */
export type CountsByCollection = Map<string, number>;

// count(*) is bigint, which node-postgres returns as a string; counts stay far below 2^53.
const toCounts = (rows: readonly { collection: string; n: number | string }[]): CountsByCollection =>
  new Map(rows.map((row) => [row.collection, Number(row.n)]));

/**
 * Exact counts of each collection's live rows (not tombstoned: a tombstone's document left MongoDB or no
 * longer maps, and is counted as deleted or rejected instead): one `UNION ALL` statement, one scan per table.
 */
export async function countMainRows(
  db: Db,
  tables: readonly { collection: string; table: PgTable }[],
): Promise<CountsByCollection> {
  if (tables.length === 0) return new Map();
  const parts = tables.map(
    ({ collection, table }) =>
      sql`SELECT ${collection}::text AS collection, count(*) AS n FROM ${table}
           WHERE source_deleted_at IS NULL AND rejected_at IS NULL`,
  );
  const result = await db.execute<{ collection: string; n: string }>(sql.join(parts, sql` UNION ALL `));
  return toCounts(result.rows);
}

/** Open (unresolved) rejects per collection. */
export async function countOpenRejects(db: Db): Promise<CountsByCollection> {
  const rows = await db
    .select({ collection: migrationRejects.collection, n: count() })
    .from(migrationRejects)
    .where(isNull(migrationRejects.resolvedAt))
    .groupBy(migrationRejects.collection);
  return toCounts(rows);
}

/** Documents found gone from MongoDB (rows removed or tombstoned) per collection. */
export async function countDeletions(db: Db): Promise<CountsByCollection> {
  const rows = await db
    .select({ collection: migrationDeletions.collection, n: count() })
    .from(migrationDeletions)
    .groupBy(migrationDeletions.collection);
  return toCounts(rows);
}

export async function countAnomalies(db: Db): Promise<CountsByCollection> {
  const rows = await db
    .select({ collection: migrationAnomalies.collection, n: count() })
    .from(migrationAnomalies)
    .groupBy(migrationAnomalies.collection);
  return toCounts(rows);
}

export async function countOpenGaps(db: Db): Promise<CountsByCollection> {
  const rows = await db
    .select({ collection: dualwriteGaps.collection, n: count() })
    .from(dualwriteGaps)
    .where(eq(dualwriteGaps.status, 'open'))
    .groupBy(dualwriteGaps.collection);
  return toCounts(rows);
}

/** Cutover mode per collection; a collection without a row has never left 'mongo'. */
export async function readModes(db: Db): Promise<Map<string, string>> {
  const rows = await db
    .select({ collection: collectionModes.collection, mode: collectionModes.mode })
    .from(collectionModes);
  return new Map(rows.map((row) => [row.collection, row.mode]));
}
