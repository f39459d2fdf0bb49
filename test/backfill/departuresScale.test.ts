import { ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDepartures } from '../../src/backfill/departures.js';
import type { LegacyId } from '../../src/db/ids.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';

/** Rows in the table: enough that a whole-table scan per chunk is the plan Postgres would avoid. */
const ROWS = 20_000;
/** One chunk's `_id` range in the middle of the table, as the planner cuts them. */
const CHUNK = { from: 8_000, size: 2_000 };

const hexId = (n: number) => new ObjectId(n.toString(16).padStart(24, '0'));

/**
 * Departures are checked by every chunk, so their query must cost the chunk's range, not the table:
 * a scan of the whole table per chunk made a backfill quadratic in the collection's size (1.3 s a chunk
 * at 1M rows). The plan is read from Postgres itself, and the answer from a real MongoDB.
 */
describe('finding departures in one chunk of a large collection', () => {
  let pgDb: TestDatabase;
  let mongo: TestMongo;
  let mongoClient: MongoClient;
  let client: pg.PoolClient;
  const spec = REGISTRY.get('categories');
  const ids = Array.from({ length: ROWS }, (_, i) => hexId(i + 1));
  const inChunk = ids.slice(CHUNK.from, CHUNK.from + CHUNK.size);
  const gone = inChunk[700]!;

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    mongo = await startTestMongo();
    mongoClient = await MongoClient.connect(mongo.url);
    // Every category has its row; the chunk's documents are in MongoDB except one that was deleted.
    await pgDb.db.$client.query(
      `INSERT INTO categories (id, legacy_object_id, name, source_read_at)
       SELECT gen_random_uuid(), id, 'c ' || id, now() - interval '1 hour' FROM unnest($1::text[]) AS id`,
      [ids.map((id) => id.toHexString())],
    );
    await pgDb.db.$client.query('ANALYZE categories');
    await mongoClient
      .db()
      .collection('categories')
      .insertMany(inChunk.filter((id) => !id.equals(gone)).map((_id) => ({ _id, name: 'c' })));
    client = await pgDb.db.$client.connect();
  }, 60_000);
  afterAll(async () => {
    client?.release();
    await mongoClient?.close();
    await mongo?.stop();
    await pgDb?.drop();
  });

  it('reads the range through the legacy_object_id index, never the whole table, and finds the deleted document', async () => {
    const range = { type: 'objectId' as const, lo: inChunk[0]!, hi: ids[CHUNK.from + CHUNK.size]! };
    const present = new Set(
      inChunk.filter((id) => !id.equals(gone)).map((id) => id.toHexString() as LegacyId),
    );
    // Every statement the check sends is also explained with the same parameters.
    const plans: PlanNode[][] = [];
    const explaining = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
        return async (text: string, values?: unknown[]) => {
          const { rows } = await target.query<{ 'QUERY PLAN': unknown }>(
            `EXPLAIN (FORMAT JSON) ${text}`,
            values,
          );
          plans.push(planNodes((rows[0]!['QUERY PLAN'] as [{ Plan: PlanNode }])[0].Plan));
          return target.query(text, values);
        };
      },
    });

    const departures = await findDepartures(explaining, mongoClient.db(), spec, range, present, new Date());

    expect(departures).toEqual({ rows: [gone.toHexString()], rejects: [] });
    expect(plans).toHaveLength(1);
    const onCategories = plans[0]!.filter((node) => node['Relation Name'] === 'categories');
    expect(onCategories.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    expect(plans[0]!.map((node) => node['Index Name'])).toContain('categories_legacy_object_id_uq');
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of an EXPLAIN (FORMAT JSON) plan, depth first. */
function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}
