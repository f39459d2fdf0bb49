import { EJSON } from 'bson';
import {
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type Db as MongoDb,
  type Document,
  type Filter,
} from 'mongodb';

/** `{ _id: id }` for any `_id` type (the driver's Filter narrows `_id` to one type). */
const byId = (id: unknown) => ({ _id: id }) as Filter<Document>;
import type pg from 'pg';
import { legacyIdOf } from '../collections/mapping/legacyId.js';
import { REGISTRY } from '../collections/registry.js';
import type { LegacyId } from '../db/ids.js';
import { readStoredDocuments } from '../reverse/readStored.js';
import { lockDocuments } from '../sync/locks.js';

export interface MirrorOutcome {
  /** Distinct documents asked for. */
  documents: number;
  /** Written from a live row (`replaceOne`, upserted when MongoDB had no such document). */
  replaced: number;
  /** Of `replaced`, those MongoDB did not hold before. */
  inserted: number;
  /** Deleted from MongoDB (or already absent): no row in Postgres, or a row tombstoned as deleted. */
  deleted: number;
  /**
   * Left alone: the document is rejected in Postgres (a `rejected_at` tombstone, or no row and an open
   * reject). MongoDB holds data the mapping could not take; neither deleting it nor writing the last
   * row that mapped over it would be right (see mirrorDocuments).
   */
  skipped: number;
}

export interface MirrorOptions {
  /**
   * A deadline for each MongoDB operation (the driver's client-side operation timeout, server selection
   * included): what a drain or a sweep gives a slow batch. @defaultValue the client's
   */
  timeoutMs?: number;
  /**
   * One deadline for the whole mirror, a `performance.now()` instant: each MongoDB operation gets only
   * the time left, and none starts after it (MirrorTimeoutError). The seam sets it to the end of its own
   * wait, so a mirror it gave up on lets go of the documents' locks then. Takes precedence over timeoutMs.
   */
  deadline?: number;
}

/** MongoDB did not take a mirror within the caller's wait. */
export class MirrorTimeoutError extends Error {
  override readonly name = 'MirrorTimeoutError';
}

/** The driver's `timeoutMS` for the next MongoDB operation of a mirror. */
function operationTimeout(options: MirrorOptions): number | undefined {
  if (options.deadline === undefined) return options.timeoutMs;
  const left = Math.ceil(options.deadline - performance.now());
  if (left <= 0) throw new MirrorTimeoutError('the mirror ran past its deadline before MongoDB answered');
  return left;
}

/** Some documents' writes were refused by MongoDB (e.g. a unique index); the others were written. */
export class MirrorWriteError extends Error {
  override readonly name = 'MirrorWriteError';
  constructor(
    readonly collection: string,
    /** Each refused document: its `_id` as given, and MongoDB's message. */
    readonly failures: readonly { id: unknown; error: string }[],
    /** What happened to the documents that were not refused. */
    readonly outcome: MirrorOutcome,
  ) {
    super(
      `MongoDB refused the mirror of ${failures.length} ${collection} document(s): ` +
        failures
          .slice(0, 3)
          .map((f) => `${EJSON.stringify(f.id, { relaxed: false })}: ${f.error}`)
          .join('; '),
    );
  }
}

/**
 * Fields of a MongoDB document that no row ever holds, by design, and that the mirror keeps from the
 * document MongoDB has: Mongoose's `__v` (src/collections/mapping/extra.ts MONGOOSE_FIELDS), the
 * versionKey of its optimistic concurrency on arrays. It means nothing in Postgres, but a document
 * replaced without it would, after a rollback to `mongo`, make Mongoose's versioned saves of that
 * document (`{ _id, __v: n }` filters) stop matching, and a new document's counter restart. Kept as it
 * is, as a Mongoose `updateOne` leaves it. Every OTHER difference between the document and the rows'
 * unmap is the rows' call, because Postgres is authoritative: a field set to NULL must disappear, so
 * nothing else is merged from the old document; the forward mapping's known losses (a dangling
 * reference kept only in migration_anomalies, a 24-hex string reference read as the ObjectId it spells,
 * absent defaults such as `primary` or `passkeys` written out) are written as the rows hold them, which
 * is the state the forward sync would map back to the same rows.
 */
const KEPT_FROM_MONGO = ['__v'] as const;

/** One document's key: its `_id` as canonical Extended JSON (a string and an ObjectId of the same hex differ). */
export function mirrorKeyOf(id: unknown): string {
  return EJSON.stringify({ v: id }, { relaxed: false });
}

/**
 * The reverse of syncDocuments (src/sync/syncDocuments.ts), for `pg` mode where Postgres is
 * authoritative: write these documents of one collection into MongoDB as Postgres holds them NOW.
 *
 * In ONE Postgres transaction: take the forward sync's per-document advisory locks (src/sync/locks.ts,
 * same keys: the `_id` as given, so pass the BSON values MongoDB holds), THEN read the rows
 * (src/reverse/readStored.ts) and write MongoDB before the transaction ends. A forward sync of the same
 * document (a dual-mode writer finishing during a flip, a gap drain, a sweep) and a mirror therefore
 * never interleave: whichever takes the lock last leaves both stores agreeing.
 *
 * Per document:
 * - a live row → `replaceOne({ _id }, unmap(rows), { upsert: true })`, the `_id` of the BSON type given
 *   (the unmap's own `_id` spells the legacy id; the caller's value is what MongoDB is keyed by), with
 *   `__v` kept from MongoDB's document (KEPT_FROM_MONGO);
 * - no row, or a row tombstoned by `source_deleted_at` → `deleteOne({ _id })`;
 * - a `rejected_at` tombstone, or no row and an open reject → nothing. Such a row is the last version
 *   that mapped, and the reject holds a NEWER MongoDB document Postgres could not take (bad money, an
 *   orphan…): deleting it would destroy source data that was never migrated, and replacing it would
 *   roll it back to the stale row. It stays for `strangler rejects --retry` once the data or the mapper
 *   is fixed.
 *
 * All writes go in one unordered bulkWrite. A write MongoDB refuses (a unique index) fails only its
 * document: MirrorWriteError names those, the others are written. Any other error (MongoDB out of reach)
 * throws as it is. The locks are held until MongoDB answers, so give the MongoClient bounded timeouts
 * (serverSelectionTimeoutMS, socketTimeoutMS): an abandoned mirror holds a pooled connection until then.
 */
export async function mirrorDocuments(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
  ids: readonly unknown[],
  options: MirrorOptions = { timeoutMs: BACKGROUND_TIMEOUT_MS },
): Promise<MirrorOutcome> {
  // MongoDB is asked first, before any lock is taken: a drain or a sweep that took a batch's locks and
  // then waited for an unreachable MongoDB would stall every pg-mode write of those documents meanwhile.
  await mongo.command({ ping: 1 }, { timeoutMS: PING_TIMEOUT_MS });
  const client = await pool.connect();
  try {
    return await mirrorDocumentsOn(client, mongo, collection, ids, options);
  } finally {
    client.release();
  }
}

/**
 * The deadline of each MongoDB operation of a drain's or a sweep's mirror (mirrorDocuments): generous,
 * since a batch of 500 documents on a loaded MongoDB is slow, and a batch that times out is retried one
 * document at a time; the ping before it is what keeps an outage from holding locks.
 */
const BACKGROUND_TIMEOUT_MS = 30_000;
const PING_TIMEOUT_MS = 5_000;

/**
 * mirrorDocuments on a client the caller holds (its own transaction on it, BEGIN to COMMIT). The
 * pg-mode seam mirrors on the very client that committed the write, which still holds the documents'
 * SESSION locks, so no forward sync can slip in between the commit and the mirror
 * (src/repositories/seam/pgFirst.ts). Re-taking those keys here is immediate: advisory locks are
 * re-entrant within a session.
 */
export async function mirrorDocumentsOn(
  client: pg.ClientBase,
  mongo: MongoDb,
  collection: string,
  ids: readonly unknown[],
  options: MirrorOptions = {},
): Promise<MirrorOutcome> {
  const spec = REGISTRY.get(collection);
  const unmap = spec.unmap;
  if (!unmap) throw new Error(`${collection}: no reverse mapping (spec.unmap), cannot mirror`);
  const unique = [...new Map(ids.map((id) => [mirrorKeyOf(id), id])).values()];
  const outcome: MirrorOutcome = {
    documents: unique.length,
    replaced: 0,
    inserted: 0,
    deleted: 0,
    skipped: 0,
  };
  if (unique.length === 0) return outcome;
  const targets = unique.map((id) => ({ id, legacyId: legacyIdOf(id) }));
  const legacyIds = [...new Set(targets.map((t) => t.legacyId))];

  await inClientTransaction(client, async () => {
    await lockDocuments(client, collection, unique);
    const stored = await readStoredDocuments(client, spec, legacyIds);
    const rejected = await openRejects(
      client,
      collection,
      legacyIds.filter((legacyId) => !stored.documents.has(legacyId)),
    );

    const writes: { id: unknown; kind: 'replace' | 'delete'; op: AnyBulkWriteOperation<Document> }[] = [];
    const replacements: { id: unknown; doc: Document }[] = [];
    for (const { id, legacyId } of targets) {
      const one = stored.documents.get(legacyId);
      if (one?.row.rejectedAt != null || (!one && rejected.has(legacyId))) {
        outcome.skipped += 1;
      } else if (!one || one.row.sourceDeletedAt != null) {
        writes.push({ id, kind: 'delete', op: { deleteOne: { filter: byId(id) } } });
      } else {
        const { _id: ignored, ...fields } = unmap(one, stored.legacyIdOf);
        void ignored;
        replacements.push({ id, doc: { _id: id, ...fields } });
      }
    }
    if (replacements.length > 0) {
      const kept = await keptFields(
        mongo,
        collection,
        replacements.map((r) => r.id),
        operationTimeout(options),
      );
      for (const { id, doc } of replacements) {
        Object.assign(doc, kept.get(mirrorKeyOf(id)));
        writes.push({
          id,
          kind: 'replace',
          op: { replaceOne: { filter: byId(id), replacement: doc, upsert: true } },
        });
      }
    }
    if (writes.length === 0) return;

    const failed = new Map<number, string>();
    let upserted = 0;
    try {
      const timeoutMS = operationTimeout(options);
      const result = await mongo.collection(collection).bulkWrite(
        writes.map((w) => w.op),
        { ordered: false, ...(timeoutMS === undefined ? {} : { timeoutMS }) },
      );
      upserted = result.upsertedCount;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError) || writeErrorsOf(error).length === 0) throw error;
      for (const writeError of writeErrorsOf(error))
        failed.set(writeError.index, writeError.errmsg ?? 'refused');
      upserted = error.result.upsertedCount;
    }
    writes.forEach((w, index) => {
      if (failed.has(index)) return;
      if (w.kind === 'replace') outcome.replaced += 1;
      else outcome.deleted += 1;
    });
    outcome.inserted = upserted;
    if (failed.size > 0)
      throw new MirrorWriteError(
        collection,
        [...failed].map(([index, error]) => ({ id: writes[index]!.id, error })),
        outcome,
      );
  });
  return outcome;
}

async function inClientTransaction(client: pg.ClientBase, fn: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await fn();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The documents of these legacy ids with an open reject (rejected in Postgres, still in MongoDB). */
async function openRejects(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly LegacyId[],
): Promise<Set<LegacyId>> {
  if (legacyIds.length === 0) return new Set();
  const { rows } = await client.query<{ id: LegacyId }>(
    `SELECT legacy_object_id AS id FROM migration_rejects
      WHERE collection = $1 AND legacy_object_id = ANY($2::text[]) AND resolved_at IS NULL`,
    [collection, [...legacyIds]],
  );
  return new Set(rows.map((r) => r.id));
}

/** KEPT_FROM_MONGO of the documents MongoDB holds now, by mirrorKeyOf(_id). */
async function keptFields(
  mongo: MongoDb,
  collection: string,
  ids: readonly unknown[],
  timeoutMs: number | undefined,
): Promise<Map<string, Document>> {
  const projection = Object.fromEntries(KEPT_FROM_MONGO.map((field) => [field, 1]));
  const kept = new Map<string, Document>();
  for await (const doc of mongo.collection(collection).find({ _id: { $in: [...ids] } } as Filter<Document>, {
    projection,
    ...(timeoutMs === undefined ? {} : { timeoutMS: timeoutMs }),
  })) {
    const fields: Document = {};
    for (const field of KEPT_FROM_MONGO) if (doc[field] !== undefined) fields[field] = doc[field];
    kept.set(mirrorKeyOf(doc._id), fields);
  }
  return kept;
}

function writeErrorsOf(error: MongoBulkWriteError): { index: number; errmsg?: string }[] {
  const writeErrors = error.writeErrors as unknown;
  if (Array.isArray(writeErrors)) return writeErrors as { index: number; errmsg?: string }[];
  return writeErrors ? [writeErrors as { index: number; errmsg?: string }] : [];
}
