import { EJSON } from 'bson';
import type { Db as MongoDb } from 'mongodb';
import pg from 'pg';
import type { LegacyId, PgUuid } from '../db/ids.js';
import { REGISTRY } from '../collections/registry.js';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { versionOf } from '../collections/mapping/timestamps.js';
import { classifyReference } from '../collections/mapping/references.js';
import { isReject, type CollectionSpec, type LegacyDoc, type Reject } from '../collections/spec.js';
import { valuesAt } from '../backfill/references.js';
import { checkValueReferences } from '../backfill/byValue.js';
import { constraintReject, isConstraintError } from '../backfill/constraintReject.js';
import { allocateIds } from '../backfill/sql/idMap.js';
import { recordRejects } from '../backfill/sql/outcomes.js';
import { upsertRows } from '../backfill/sql/upsertRows.js';
import { quoteIdent, rowsToJson, tableShape, type TableShape } from '../backfill/sql/tableShape.js';

export interface NaiveResult {
  docs: number;
  rejected: number;
  seconds: number;
  docsPerSec: number;
  statementsPerDoc: number;
}

/**
 * The loop a first migration script would be: one document at a time, one autocommitted statement per
 * reference lookup, per id_map entry, per main row and per child row. The documents are read before the
 * clock starts (a cursor would batch them anyway), and it skips the anomaly notes and the link pass:
 * everything left out makes the naive rate higher, so the speedup it yields is conservative.
 */
export async function measureNaive(
  mongo: MongoDb,
  intoUrl: string,
  sampleSize: number,
): Promise<NaiveResult> {
  const sample = await readSample(mongo, sampleSize);
  const client = new pg.Client({ connectionString: intoUrl, application_name: 'strangler-bench-naive' });
  client.on('error', () => undefined);
  await client.connect();
  let statements = 0;
  const query = client.query.bind(client);
  // Counted at the driver, so the helpers reused from the engine are counted too.
  client.query = ((...args: Parameters<typeof query>) => {
    statements += 1;
    return query(...args);
  }) as typeof client.query;
  try {
    let rejected = 0;
    const started = performance.now();
    for (const { spec, docs } of sample) {
      for (const doc of docs) if (!(await copyOne(client, spec, doc))) rejected += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    const docs = sample.reduce((n, s) => n + s.docs.length, 0);
    return { docs, rejected, seconds, docsPerSec: docs / seconds, statementsPerDoc: statements / docs };
  } finally {
    await client.end();
  }
}

/** Collections this small are sampled whole: by-value parents (levelconfigs) must be complete. */
const WHOLE_BELOW = 100;

/**
 * A sample whose references mostly resolve, so the loop does the work a real run does (a reject is
 * cheaper than a write): collections parents first, each with a share proportional to its size, each
 * taking its first documents by `_id` whose references to sampled parents point into those samples.
 */
async function readSample(
  mongo: MongoDb,
  size: number,
): Promise<{ spec: CollectionSpec; docs: LegacyDoc[] }[]> {
  const counts = new Map<string, number>();
  for (const name of REGISTRY.order) counts.set(name, await mongo.collection(name).countDocuments());
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const sampledIds = new Map<string, Set<LegacyId>>();
  const out: { spec: CollectionSpec; docs: LegacyDoc[] }[] = [];
  for (const name of REGISTRY.order) {
    const spec = REGISTRY.get(name);
    const count = counts.get(name) ?? 0;
    const share = count <= WHOLE_BELOW ? count : Math.max(1, Math.round((size * count) / Math.max(1, total)));
    if (share === 0) continue;
    // Every single-valued reference to a sampled parent must point into that parent's sample: with
    // one reference checked, money documents (buyer, request, offer…) were orphans a fifth of the time.
    const checked = spec.references.filter(
      (ref) =>
        !ref.deferred && !ref.byValue && !ref.many && ref.parent !== name && sampledIds.has(ref.parent),
    );
    const docs = await firstDocs(mongo, name, share, (doc) =>
      checked.every((ref) => {
        const parents = sampledIds.get(ref.parent);
        return valuesAt(doc, ref.path).every((value) => {
          const found = classifyReference(value, { stringIds: true });
          return found.kind !== 'id' || parents?.has(found.legacyId) === true;
        });
      }),
    );
    sampledIds.set(name, new Set(docs.map((doc) => legacyIdOf(doc._id))));
    out.push({ spec, docs });
  }
  return out;
}

/**
 * The first `limit` documents by `_id` that `accept` takes. Filtered here rather than with `$in` on the
 * server: a `$in` of thousands of ids is a slow query on the embedded source, and reading a collection
 * untimed is cheap.
 */
async function firstDocs(
  mongo: MongoDb,
  collection: string,
  limit: number,
  accept: (doc: LegacyDoc) => boolean,
): Promise<LegacyDoc[]> {
  const docs: LegacyDoc[] = [];
  const cursor = mongo.collection(collection).find({}, { sort: { _id: 1 }, batchSize: 2_000 });
  try {
    for await (const doc of cursor) {
      if (accept(doc as LegacyDoc)) docs.push(doc as LegacyDoc);
      if (docs.length >= limit) break;
    }
  } finally {
    await cursor.close();
  }
  return docs;
}

/** One document, the naive way; false when it became a reject. */
async function copyOne(client: pg.Client, spec: CollectionSpec, doc: LegacyDoc): Promise<boolean> {
  const legacyId = legacyIdOf(doc._id);
  const resolved = new Map<string, Map<LegacyId, PgUuid>>();
  for (const ref of spec.references) {
    if (ref.deferred || ref.byValue) continue;
    const forParent = resolved.get(ref.parent) ?? new Map<LegacyId, PgUuid>();
    resolved.set(ref.parent, forParent);
    for (const value of valuesAt(doc, ref.path)) {
      const found = classifyReference(value, { stringIds: true });
      if (found.kind !== 'id') continue;
      const { rows } = await client.query<{ new_id: PgUuid }>(
        `SELECT new_id FROM id_map WHERE collection = $1 AND legacy_object_id = $2`,
        [ref.parent, found.legacyId],
      );
      if (rows[0]) forParent.set(found.legacyId, rows[0].new_id);
    }
  }
  const refused = (await checkValueReferences(client, spec, [doc])).get(doc);
  const result = refused ?? spec.map(doc, { resolve: (parent, id) => resolved.get(parent)?.get(id) });
  if (isReject(result)) return reject(client, spec, doc, result);

  try {
    const ids = await allocateIds(client, spec.collection, [legacyId]);
    const id = ids.get(legacyId);
    await upsertRows(client, tableShape(spec.table), [
      { ...result.row, id, legacyObjectId: legacyId, sourceUpdatedAt: versionOf(doc) },
    ]);
    for (const [childName, child] of Object.entries(spec.children ?? {})) {
      for (const row of result.children?.[childName] ?? [])
        await insertOne(client, tableShape(child.table), { ...row, [child.ownerKey]: id });
    }
    return true;
  } catch (error) {
    // Autocommit: whatever went in before the refusal stays, as it would in such a script.
    if (!isConstraintError(error)) throw error;
    return reject(client, spec, doc, constraintReject(error));
  }
}

async function reject(client: pg.Client, spec: CollectionSpec, doc: LegacyDoc, why: Reject): Promise<false> {
  const raw = EJSON.serialize(doc, { relaxed: false });
  await recordRejects(client, null, spec.collection, [{ legacyId: legacyIdOf(doc._id), reject: why, raw }]);
  return false;
}

async function insertOne(client: pg.Client, shape: TableShape, row: Record<string, unknown>): Promise<void> {
  const { json, columns } = rowsToJson(shape, [row]);
  const list = columns.map(quoteIdent).join(', ');
  await client.query(
    `INSERT INTO ${shape.quoted} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${shape.quoted}, $1::json)`,
    [json],
  );
}
