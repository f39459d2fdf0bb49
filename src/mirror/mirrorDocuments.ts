import { EJSON } from 'bson';
import {
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type BulkWriteOptions,
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
import { isStoreUnavailable } from '../gaps/unavailable.js';

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
   * The end of the whole mirror: a MongoDB operation still running then is aborted (server selection
   * included; the driver closes a socket mid-reply), and none starts after it. The documents' locks are
   * held until MongoDB answers or this fires, so it bounds how long a mirror stalls the other writers of
   * its documents when MongoDB vanishes mid-mirror. A signal, because the driver's own `timeoutMS` has no
   * effect since mongodb 7 (an unreachable server held every operation for serverSelectionTimeoutMS).
   * The seam passes the end of its caller's wait. @defaultValue BACKGROUND_MIRROR_MS for mirrorDocuments
   */
  signal?: AbortSignal;
}

/** MongoDB did not take a mirror before its signal fired (it was slow, not known to be out of reach). */
export class MirrorTimeoutError extends Error {
  override readonly name = 'MirrorTimeoutError';
}

function throwIfEnded(signal: AbortSignal | undefined, collection: string): void {
  if (signal?.aborted)
    throw new MirrorTimeoutError(`${collection}: the mirror ran out of time before MongoDB answered`);
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
 * throws as it is. The locks are held until MongoDB answers or the mirror's signal ends it (a batch's
 * BACKGROUND_MIRROR_MS here). A write MongoDB received just before such an abort may still be applied
 * after the locks are gone, over a newer mirror: the reverse sweep re-mirrors every row changed within
 * its overlap window (src/sweep/reverseSweep.ts), which writes the rows' state again over it.
 */
export async function mirrorDocuments(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
  ids: readonly unknown[],
  options: MirrorOptions = {},
): Promise<MirrorOutcome> {
  // MongoDB is asked first, before any lock is taken: a drain or a sweep that took a batch's locks and
  // then waited for an unreachable MongoDB would stall every pg-mode write of those documents meanwhile.
  await mongo.command({ ping: 1 }, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
  const client = await pool.connect();
  try {
    return await mirrorDocumentsOn(client, mongo, collection, ids, {
      signal: options.signal ?? AbortSignal.timeout(BACKGROUND_MIRROR_MS),
    });
  } finally {
    client.release();
  }
}

/**
 * How long a drain's or a sweep's mirror of one batch may take, from its locks to MongoDB's answer:
 * what a MongoDB vanishing mid-batch (after the ping) can cost the pg-mode writers of those documents.
 * A healthy MongoDB takes a batch of 500 in well under a second; a batch that runs out of time is
 * retried one document at a time (src/mirror/drainReverse.ts, src/sweep/reverseSweep.ts).
 */
const BACKGROUND_MIRROR_MS = 5_000;
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

  const { signal } = options;
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
      throwIfEnded(signal, collection);
      const kept = await keptFields(
        mongo,
        collection,
        replacements.map((r) => r.id),
        signal,
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
      throwIfEnded(signal, collection);
      // BulkWriteOptions does not declare `signal`, but the driver hands a bulk's options to each of its
      // operations, which honour it (test/mirror/reverseGaps.test.ts cuts MongoDB under a mirror).
      const result = await mongo.collection(collection).bulkWrite(
        writes.map((w) => w.op),
        { ordered: false, signal } as BulkWriteOptions,
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
  }).catch((error: unknown) => {
    throw asMirrorTimeout(error, signal, collection);
  });
  return outcome;
}

/**
 * What an operation cut short by the mirror's signal threw, as a MirrorTimeoutError: MongoDB was slow.
 * MongoDB known to be out of reach (the driver's own verdict, e.g. a refused connection during server
 * selection) stays as it is, so that callers back off a whole batch instead of retrying it per document.
 */
function asMirrorTimeout(error: unknown, signal: AbortSignal | undefined, collection: string): unknown {
  if (!signal?.aborted || error instanceof MirrorWriteError || error instanceof MirrorTimeoutError)
    return error;
  if (isStoreUnavailable(error)) return error;
  return new MirrorTimeoutError(`${collection}: MongoDB did not answer the mirror in time`, { cause: error });
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
  signal: AbortSignal | undefined,
): Promise<Map<string, Document>> {
  const projection = Object.fromEntries(KEPT_FROM_MONGO.map((field) => [field, 1]));
  const kept = new Map<string, Document>();
  for await (const doc of mongo.collection(collection).find({ _id: { $in: [...ids] } } as Filter<Document>, {
    projection,
    signal,
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
