import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../src/collections/registry.js';
import type { PoolClient } from 'pg';
import {
  REJECT_REASONS,
  isReject,
  type ChildTableSpec,
  type CollectionSpec,
  type LegacyDoc,
} from '../../src/collections/spec.js';
import { legacyIdOf } from '../../src/collections/mapping/legacyId.js';
import { prefetchReferences } from '../../src/backfill/references.js';
import { quoteIdent, rowsToJson, tableShape } from '../../src/backfill/sql/tableShape.js';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * One behaviour suite, generated from the registry (STYLE.md §10): every collection spec gets the same
 * assertions, so a new collection is covered the moment it is registered.
 */
let stack: TestStack;
const snapshots = new Map<string, string>();

async function tableSnapshot(spec: CollectionSpec): Promise<string> {
  const tables = [spec.table, ...Object.values(spec.children ?? {}).map((c) => c.table)];
  const parts: string[] = [];
  for (const table of tables) {
    const { rows } = await stack.pg.db.$client.query<{ h: string | null; x: string | null }>(
      `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h, max(xmin::text) AS x FROM ${tableShape(table).quoted} t`,
    );
    parts.push(`${rows[0]!.h}:${rows[0]!.x}`);
  }
  return parts.join(',');
}

/** How many child rows the owner has, and how many of the expected rows are among them, column by column. */
async function childMatches(
  client: PoolClient,
  spec: CollectionSpec,
  child: ChildTableSpec,
  legacyId: string,
  expected: readonly Record<string, unknown>[],
): Promise<{ stored: number; matching: number }> {
  const shape = tableShape(child.table);
  const owner = quoteIdent(shape.columnOf.get(child.ownerKey)!);
  const ownerOf = (param: string) =>
    `(SELECT id FROM ${tableShape(spec.table).quoted} WHERE legacy_object_id = ${param})`;
  const { rows: stored } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${shape.quoted} WHERE ${owner} = ${ownerOf('$1')}`,
    [legacyId],
  );
  if (expected.length === 0) return { stored: stored[0]!.n, matching: 0 };
  const { json, columns } = rowsToJson(shape, expected);
  const same = columns.map((c) => `e.${quoteIdent(c)} IS NOT DISTINCT FROM t.${quoteIdent(c)}`).join(' AND ');
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM json_populate_recordset(NULL::${shape.quoted}, $1::json) e
      WHERE EXISTS (SELECT 1 FROM ${shape.quoted} t WHERE t.${owner} = ${ownerOf('$2')} AND ${same})`,
    [json, legacyId],
  );
  return { stored: stored[0]!.n, matching: rows[0]!.n };
}

beforeAll(async () => {
  stack = await startTestStack();
  await seedDatabase(stack.source, { docs: 4000, seed: 21, quirkRate: 0.04 });
  stack.startWorkers(4);
  const first = await startBackfill(stack.deps, { collections: 'all', chunkSize: 300 });
  expect((await stack.waitForRun(first.runId)).status).toBe('completed');
  for (const spec of REGISTRY.specs) snapshots.set(spec.collection, await tableSnapshot(spec));
  const second = await startBackfill(stack.deps, { collections: 'all', chunkSize: 700 });
  expect((await stack.waitForRun(second.runId)).status).toBe('completed');
});
afterAll(async () => {
  await stack?.stop();
});

describe.each(REGISTRY.specs.map((spec) => [spec.collection, spec] as const))('%s', (collection, spec) => {
  it('migrated + rejected = source documents', async () => {
    const source = await stack.source.collection(collection).countDocuments();
    const { rows } = await stack.pg.db.$client.query<{ migrated: number; rejected: number }>(
      `SELECT (SELECT count(*)::int FROM ${tableShape(spec.table).quoted}) AS migrated,
              (SELECT count(*)::int FROM migration_rejects WHERE collection = $1 AND resolved_at IS NULL) AS rejected`,
      [collection],
    );
    expect(rows[0]!.migrated + rows[0]!.rejected).toBe(source);
  });

  it('a sample of rows equals its documents, column by column, as Postgres compares them', async () => {
    const docs = (await stack.source.collection(collection).find({}, { limit: 40 }).toArray()) as LegacyDoc[];
    const client = await stack.pg.db.$client.connect();
    try {
      const ctx = await prefetchReferences(client, spec, docs);
      const shape = tableShape(spec.table);
      let compared = 0;
      for (const doc of docs) {
        const result = spec.map(doc, ctx);
        if (isReject(result)) continue;
        const legacyId = legacyIdOf(doc._id);
        const { json, columns } = rowsToJson(shape, [result.row]);
        if (columns.length === 0) continue;
        const checks = columns.map(
          (c) => `(e.${quoteIdent(c)} IS NOT DISTINCT FROM t.${quoteIdent(c)}) AS ${quoteIdent(c)}`,
        );
        const { rows } = await client.query<Record<string, boolean>>(
          `SELECT ${checks.join(', ')} FROM ${shape.quoted} t,
                  json_populate_record(NULL::${shape.quoted}, ($1::json) -> 0) e
            WHERE t.legacy_object_id = $2`,
          [json, legacyId],
        );
        if (rows.length === 0) continue; // refused by Postgres: a constraint reject, counted above
        const differing = Object.entries(rows[0]!)
          .filter(([, same]) => !same)
          .map(([c]) => c);
        expect({ legacyId, differing }).toEqual({ legacyId, differing: [] });
        for (const [name, child] of Object.entries(spec.children ?? {})) {
          const expected = result.children?.[name] ?? [];
          expect({
            legacyId,
            name,
            ...(await childMatches(client, spec, child, legacyId, expected)),
          }).toEqual({
            legacyId,
            name,
            stored: expected.length,
            matching: expected.length,
          });
        }
        compared += 1;
      }
      expect(compared).toBeGreaterThan(0);
    } finally {
      client.release();
    }
  });

  it('a second run changes no row', async () => {
    expect(await tableSnapshot(spec)).toBe(snapshots.get(collection));
  });

  it('every reject names a known reason and keeps its raw document', async () => {
    const { rows } = await stack.pg.db.$client.query<{
      legacy_object_id: string;
      reason: string;
      raw: { _id: unknown };
    }>(
      `SELECT legacy_object_id, reason, raw FROM migration_rejects WHERE collection = $1 AND resolved_at IS NULL`,
      [collection],
    );
    for (const row of rows) {
      expect(REJECT_REASONS).toContain(row.reason);
      expect(JSON.stringify(row.raw._id)).toContain(row.legacy_object_id);
    }
  });
});
