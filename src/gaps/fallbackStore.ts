import type { Db as MongoDb, WriteConcernSettings } from 'mongodb';
import type { GapDirection, GapOp } from './sql/upsertOpenGap.js';

/**
 * Where a gap goes when Postgres cannot take it (src/gaps/record.ts): a collection of the source MongoDB
 * database, written with majority write concern and journaled.
 *
 * Why MongoDB and not a Redis stream: the record must be at least as durable as the MongoDB write it
 * covers, or a crash can lose the only trace of a document Postgres never got. The Redis of this
 * project may run without persistence (the development and CI one does, and nothing checks
 * `appendonly` in production), and even AOF with the default `everysec` fsync loses the last second on
 * a crash. A majority-acknowledged write to the same replica set survives exactly what the covered
 * write survives, and if MongoDB is down there is no MongoDB write to cover.
 *
 * One record per document (`_id` = collection + canonical EJSON `_id`): repeated failures of the same
 * document bump `seq` instead of piling up, and the mover deletes a record only if `seq` is still the
 * one it moved, so a failure recorded while it was moving survives for the next move.
 */
export const FALLBACK_COLLECTION = 'strangler_pending_syncs';

const DURABLE: { writeConcern: WriteConcernSettings } = { writeConcern: { w: 'majority', journal: true } };

export interface FallbackRecord {
  _id: string;
  collection: string;
  legacyId: string;
  idJson: string;
  op: GapOp;
  direction: GapDirection;
  lastError: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** Bumped on every write of this record; the mover deletes only the version it moved. */
  seq: number;
}

export type FallbackInput = Omit<FallbackRecord, '_id' | 'firstSeenAt' | 'lastSeenAt' | 'seq'>;

const recordKey = (collection: string, idJson: string) => `${collection}|${idJson}`;

const store = (mongo: MongoDb) => mongo.collection<FallbackRecord>(FALLBACK_COLLECTION);

export async function writeFallbackRecord(mongo: MongoDb, input: FallbackInput): Promise<void> {
  const now = new Date();
  await store(mongo).updateOne(
    { _id: recordKey(input.collection, input.idJson) },
    {
      $set: { ...input, lastSeenAt: now },
      $setOnInsert: { firstSeenAt: now },
      $inc: { seq: 1 },
    },
    { upsert: true, ...DURABLE },
  );
}

/** The oldest records first (by first failure), at most `limit`. */
export async function readFallbackRecords(mongo: MongoDb, limit: number): Promise<FallbackRecord[]> {
  return store(mongo)
    .find({}, { sort: { firstSeenAt: 1, _id: 1 }, limit })
    .toArray();
}

/** Deletes the records whose `seq` is still the one read; returns how many went. */
export async function deleteFallbackRecords(
  mongo: MongoDb,
  moved: readonly Pick<FallbackRecord, '_id' | 'seq'>[],
): Promise<number> {
  if (moved.length === 0) return 0;
  const result = await store(mongo).deleteMany({ $or: moved.map(({ _id, seq }) => ({ _id, seq })) }, DURABLE);
  return result.deletedCount;
}

export async function countFallbackRecords(mongo: MongoDb, collection?: string): Promise<number> {
  return store(mongo).countDocuments(collection === undefined ? {} : { collection });
}
