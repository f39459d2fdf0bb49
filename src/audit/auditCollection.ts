import { EJSON } from 'bson';
import type { Db as MongoDb, Document } from 'mongodb';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { isReject, type CollectionSpec, type LegacyDoc, type MapContext } from '../collections/spec.js';
import { asPgUuid, type LegacyId } from '../db/ids.js';
import { referencedIds, valuesAt } from '../backfill/references.js';
import { moneyShape, referenceShape } from './shapes.js';
import type { CollectionAudit } from './report.js';

/** Documents read per Mongo round trip; also the size of each batched parent-existence query. */
const BATCH = 2000;

/** What the audit knows of collections audited before this one (parents first). */
export interface AuditMemory {
  /** Per collection, the ids the audit predicts will be rejected: their children become orphans. */
  readonly rejected: Map<string, Set<LegacyId>>;
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/**
 * Dry-runs a collection's spec against MongoDB alone, before any backfill: the same mapper, with
 * references answered from the parents' existence in Mongo (minus the parents the audit already
 * predicts to be rejected). It predicts every mapping reject; refusals only Postgres can make (a unique
 * clash such as a second primary address) are reported by the backfill itself.
 */
export async function auditCollection(
  mongo: MongoDb,
  spec: CollectionSpec,
  memory: AuditMemory,
): Promise<CollectionAudit> {
  const audit: CollectionAudit = {
    collection: spec.collection,
    documents: 0,
    migrate: 0,
    reject: {},
    anomalies: {},
    fields: {},
  };
  const rejected = new Set<LegacyId>();
  memory.rejected.set(spec.collection, rejected);
  const fieldsToShape = [
    ...spec.references.filter((r) => !r.byValue).map((r) => ({ path: r.path, shape: referenceShape })),
    ...(spec.moneyFields ?? []).map((path) => ({ path, shape: moneyShape })),
  ];
  const coll = mongo.collection<Document>(spec.collection);
  let after: unknown = undefined;
  for (;;) {
    const filter: Document = after === undefined ? {} : { _id: { $gt: after } };
    const docs = (await coll.find(filter, { sort: { _id: 1 }, limit: BATCH }).toArray()) as LegacyDoc[];
    if (docs.length === 0) break;
    after = docs.at(-1)!._id;
    const ctx = await existenceContext(mongo, spec, docs, memory);
    const missingValues = await missingByValue(mongo, spec, docs);
    for (const doc of docs) {
      audit.documents += 1;
      for (const { path, shape } of fieldsToShape) {
        const shapes = (audit.fields[path] ??= {});
        const values = valuesAt(doc, path);
        if (values.length === 0) bump(shapes, 'absent');
        for (const value of values) bump(shapes, shape(value));
      }
      const result = missingValues.has(doc)
        ? ({ reject: 'orphan_reference', message: '' } as const)
        : spec.map(doc, ctx);
      if (isReject(result)) {
        bump(audit.reject, result.reject);
        rejected.add(legacyIdOf(doc._id));
      } else {
        audit.migrate += 1;
        for (const anomaly of result.anomalies ?? []) bump(audit.anomalies, anomaly.code);
      }
    }
  }
  return audit;
}

/** ctx.resolve answers "would this parent have a row?": it exists in Mongo and the audit migrates it. */
async function existenceContext(
  mongo: MongoDb,
  spec: CollectionSpec,
  docs: readonly LegacyDoc[],
  memory: AuditMemory,
): Promise<MapContext> {
  // One existence query per parent collection, like the backfill's one id_map lookup per parent.
  const present = new Map<string, Set<LegacyId>>();
  for (const [parent, wanted] of referencedIds(spec, docs)) {
    const ids = new Set<LegacyId>();
    present.set(parent, ids);
    if (wanted.size === 0) continue;
    // A legacy id is either a 24-hex ObjectId or a string _id: ask for both forms.
    const candidates = [...wanted].flatMap((id) => (/^[0-9a-f]{24}$/.test(id) ? [id, { $oid: id }] : [id]));
    const query = EJSON.deserialize({ _id: { $in: candidates } }) as Document;
    for await (const found of mongo.collection<Document>(parent).find(query, { projection: { _id: 1 } })) {
      const id = legacyIdOf(found._id);
      if (!memory.rejected.get(parent)?.has(id)) ids.add(id);
    }
  }
  return {
    resolve(parent, legacyId) {
      // Any stable placeholder works: the audit only needs to know whether a row would exist.
      return present.get(parent)?.has(legacyId) ? asPgUuid(`audit:${legacyId}`) : undefined;
    },
  };
}

/** References by value (users.level): the parent collection must hold a document with that value. */
async function missingByValue(
  mongo: MongoDb,
  spec: CollectionSpec,
  docs: readonly LegacyDoc[],
): Promise<Set<LegacyDoc>> {
  const missing = new Set<LegacyDoc>();
  for (const ref of spec.references) {
    if (!ref.byValue) continue;
    const values = [...new Set(docs.flatMap((doc) => valuesAt(doc, ref.path)).filter((v) => v != null))];
    if (values.length === 0) continue;
    const field = ref.byValue.column;
    const found = await mongo.collection<Document>(ref.parent).distinct(field, { [field]: { $in: values } });
    const present = new Set(found.map(String));
    for (const doc of docs) {
      if (valuesAt(doc, ref.path).some((v) => v != null && !present.has(String(v)))) missing.add(doc);
    }
  }
  return missing;
}
