import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { prefetchReferences } from '../../src/backfill/references.js';
import { quoteIdent, rowsToJson, tableShape } from '../../src/backfill/sql/tableShape.js';
import { legacyIdOf } from '../../src/collections/mapping/legacyId.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { isReject, type LegacyDoc } from '../../src/collections/spec.js';

/**
 * The oracle of the sweep tests: for each `_id`, what Postgres holds must be what the collection's spec
 * maps MongoDB's CURRENT document to, compared column by column as Postgres compares them (main row
 * and child rows, as test/backfill/behaviour.test.ts does), or an open reject when it does not map, or
 * no live row when the document is gone. Returns one line per difference; [] when all agree.
 */
export async function mappingProblems(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
  ids: readonly unknown[],
): Promise<string[]> {
  const spec = REGISTRY.get(collection);
  const shape = tableShape(spec.table);
  const problems: string[] = [];
  const docs = (await mongo
    .collection(collection)
    .find({ _id: { $in: [...ids] } } as never)
    .toArray()) as LegacyDoc[];
  const found = new Set(docs.map((d) => legacyIdOf(d._id)));
  const client = await pool.connect();
  try {
    for (const id of ids) {
      const legacyId = legacyIdOf(id);
      if (found.has(legacyId)) continue;
      const { rows } = await client.query(
        `SELECT 1 FROM ${shape.quoted} WHERE legacy_object_id = $1 AND source_deleted_at IS NULL`,
        [legacyId],
      );
      if (rows.length > 0) problems.push(`${legacyId}: gone from MongoDB but live in Postgres`);
    }
    const ctx = await prefetchReferences(client, spec, docs);
    for (const doc of docs) {
      const legacyId = legacyIdOf(doc._id);
      const result = spec.map(doc, ctx);
      if (isReject(result)) {
        const { rows } = await client.query(
          `SELECT 1 FROM migration_rejects WHERE collection = $1 AND legacy_object_id = $2 AND resolved_at IS NULL`,
          [collection, legacyId],
        );
        if (rows.length === 0)
          problems.push(`${legacyId}: maps to a ${result.reject} reject, but none is open`);
        continue;
      }
      const { json, columns } = rowsToJson(shape, [result.row]);
      const checks = columns.map(
        (c) => `(e.${quoteIdent(c)} IS NOT DISTINCT FROM t.${quoteIdent(c)}) AS ${quoteIdent(c)}`,
      );
      const { rows } = await client.query<Record<string, boolean>>(
        `SELECT ${checks.join(', ')} FROM ${shape.quoted} t,
                json_populate_record(NULL::${shape.quoted}, ($1::json) -> 0) e
          WHERE t.legacy_object_id = $2 AND t.source_deleted_at IS NULL AND t.rejected_at IS NULL`,
        [json, legacyId],
      );
      if (rows.length === 0) {
        problems.push(`${legacyId}: maps, but has no live row in ${shape.name}`);
        continue;
      }
      const differing = Object.entries(rows[0]!)
        .filter(([, same]) => !same)
        .map(([c]) => c);
      if (differing.length > 0) problems.push(`${legacyId}: columns differ: ${differing.join(', ')}`);
      for (const [name, child] of Object.entries(spec.children ?? {})) {
        const expected = result.children?.[name] ?? [];
        const childShape = tableShape(child.table);
        const owner = quoteIdent(childShape.columnOf.get(child.ownerKey)!);
        const ownerOf = (param: string) =>
          `(SELECT id FROM ${shape.quoted} WHERE legacy_object_id = ${param})`;
        const stored = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${childShape.quoted} WHERE ${owner} = ${ownerOf('$1')}`,
          [legacyId],
        );
        let matching = 0;
        if (expected.length > 0) {
          const child = rowsToJson(childShape, expected);
          const same = child.columns
            .map((c) => `e.${quoteIdent(c)} IS NOT DISTINCT FROM t.${quoteIdent(c)}`)
            .join(' AND ');
          const { rows: m } = await client.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM json_populate_recordset(NULL::${childShape.quoted}, $1::json) e
              WHERE EXISTS (SELECT 1 FROM ${childShape.quoted} t WHERE t.${owner} = ${ownerOf('$2')} AND ${same})`,
            [child.json, legacyId],
          );
          matching = m[0]!.n;
        }
        if (stored.rows[0]!.n !== expected.length || matching !== expected.length)
          problems.push(
            `${legacyId}: ${name}: ${stored.rows[0]!.n} stored, ${matching} of ${expected.length} expected match`,
          );
      }
    }
  } finally {
    client.release();
  }
  return problems;
}
