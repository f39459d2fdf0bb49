import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { quoteIdent, tableShape } from '../backfill/sql/tableShape.js';
import { REGISTRY } from '../collections/registry.js';
import { referenceColumn, type ReferenceColumn } from './counts/referenceColumn.js';
import { documentsWithReferences } from './counts/referencedDocs.js';
import { countCutoff, type CountCutoff } from './counts/cutoff.js';
import { VerifyError } from './errors.js';

export interface ReferenceCount {
  readonly path: string;
  readonly parent: string;
  /** Where Postgres keeps it (`main.col`, `child_table.col`, a junction), or why it could not be found. */
  readonly column: string;
  /** Documents (open rejects excluded) with at least one resolvable value at the path. */
  readonly documents: number;
  /** Live rows with the foreign key set (for a child table or junction: owners with such a row); null if unknown. */
  readonly rows: number | null;
  readonly ok: boolean;
}

export interface CountsVerdict {
  readonly collection: string;
  /** Every check below agrees: source = live + rejected, no open gap, each reference's counts equal. */
  readonly ok: boolean;
  /** MongoDB documents. */
  readonly source: number;
  /** Rows neither tombstoned for a deletion nor for a reject. */
  readonly live: number;
  /** Open rejects. */
  readonly rejected: number;
  /** Rows kept with `source_deleted_at` or `rejected_at` set. */
  readonly tombstones: number;
  /** Documents with an open or dead dual-write gap (known to differ until drained). */
  readonly gapsOpen: number;
  readonly references: ReferenceCount[];
}

/**
 * Counts per collection and per reference. Every source document is either a live row or an open reject
 * (a tombstone is a row whose document left, so it is in neither count); a reference resolved in MongoDB
 * must be a foreign key set in Postgres. Cheap next to a range verification, and it catches what a
 * per-range view cannot: a whole bracket of `_id`s never planned, a reference dropped across the board.
 * Both sides count documents created before the same cutoff (src/verify/counts/cutoff.ts), so inserts
 * in flight under live traffic do not make them differ.
 */
export async function verifyCounts(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
): Promise<CountsVerdict> {
  const spec = REGISTRY.get(collection);
  const main = tableShape(spec.table).quoted;
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: clock } = await client.query<{ now: Date }>('SELECT now() AS now');
    const cutoff = countCutoff(clock[0]!.now);
    const { rows } = await client.query<{ live: number; tombstones: number }>(
      `SELECT count(*) FILTER (WHERE source_deleted_at IS NULL AND rejected_at IS NULL)::int AS live,
              count(*) FILTER (WHERE source_deleted_at IS NOT NULL OR rejected_at IS NOT NULL)::int AS tombstones
         FROM ${main} m WHERE ${cutoff.pg('m', 1)}`,
      [cutoff.pgValue],
    );
    const rejectedIds = new Set(
      (
        await client.query<{ id: string }>(
          `SELECT legacy_object_id AS id FROM migration_rejects WHERE collection = $1 AND resolved_at IS NULL`,
          [collection],
        )
      ).rows
        .map((r) => r.id)
        .filter(cutoff.includes),
    );
    const gaps = await client.query<{ n: number }>(
      `SELECT count(DISTINCT legacy_object_id)::int AS n FROM pg_dualwrite_gaps
        WHERE collection = $1 AND status IN ('open', 'dead')`,
      [collection],
    );
    const source = await mongo.collection(collection).countDocuments(cutoff.mongo);
    const references: ReferenceCount[] = [];
    const withReference = await documentsWithReferences(client, mongo, spec, rejectedIds, cutoff);
    for (const ref of spec.references) {
      const where = referenceColumn(spec, ref);
      const documents = withReference.get(ref) ?? 0;
      const rowCount = await rowsWithReference(client, main, where, cutoff);
      references.push({
        path: ref.path,
        parent: ref.parent,
        column: describe(where),
        documents,
        rows: rowCount,
        ok: rowCount === documents,
      });
    }
    await client.query('COMMIT');
    const { live, tombstones } = rows[0]!;
    const gapsOpen = gaps.rows[0]!.n;
    return {
      collection,
      ok: source === live + rejectedIds.size && gapsOpen === 0 && references.every((r) => r.ok),
      source,
      live,
      rejected: rejectedIds.size,
      tombstones,
      gapsOpen,
      references,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new VerifyError(collection, 'counts', error);
  } finally {
    client.release();
  }
}

const LIVE = `m.source_deleted_at IS NULL AND m.rejected_at IS NULL`;

async function rowsWithReference(
  client: pg.ClientBase,
  main: string,
  where: ReferenceColumn,
  cutoff: CountCutoff,
): Promise<number | null> {
  let sql: string;
  switch (where.where) {
    case 'main':
      sql = `SELECT count(*)::int AS n FROM ${main} m WHERE ${LIVE} AND ${cutoff.pg('m', 1)} AND m.${quoteIdent(where.column)} IS NOT NULL`;
      break;
    case 'child':
      sql = `SELECT count(DISTINCT c.${quoteIdent(where.owner)})::int AS n FROM ${where.table} c
               JOIN ${main} m ON m.id = c.${quoteIdent(where.owner)}
              WHERE ${LIVE} AND ${cutoff.pg('m', 1)} AND c.${quoteIdent(where.column)} IS NOT NULL`;
      break;
    case 'junction':
      sql = `SELECT count(DISTINCT c.${quoteIdent(where.owner)})::int AS n FROM ${where.table} c
               JOIN ${main} m ON m.id = c.${quoteIdent(where.owner)} WHERE ${LIVE} AND ${cutoff.pg('m', 1)}`;
      break;
    case 'unknown':
      return null;
  }
  const { rows } = await client.query<{ n: number }>(sql, [cutoff.pgValue]);
  return rows[0]!.n;
}

function describe(where: ReferenceColumn): string {
  switch (where.where) {
    case 'main':
      return where.column;
    case 'child':
      return `${where.table}.${where.column}`;
    case 'junction':
      return `${where.table} (junction)`;
    case 'unknown':
      return `unknown: ${where.why}`;
  }
}
