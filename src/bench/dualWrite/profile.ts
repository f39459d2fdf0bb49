import type { Db as MongoDb, MongoClient } from 'mongodb';
import type pg from 'pg';
import { decodeGapIds } from '../../gaps/ids.js';
import { DRAIN_DEFAULTS } from '../../gaps/options.js';
import { claimDueGaps } from '../../gaps/sql/claimDueGaps.js';
import { resolveGaps } from '../../gaps/sql/settleGaps.js';
import { syncDocuments } from '../../sync/syncDocuments.js';
import { round } from './latencies.js';
import { addResolvedHistory, clearGaps, recordGapsInBulk } from './recordGaps.js';
import { monitorMongo, TimeBook, timedPool } from './timedStores.js';

export interface DrainProfile {
  collection: string;
  batchSize: number;
  /** Resolved gap rows already in the table (history a long-running table keeps). */
  historyRows: number;
  gaps: number;
  seconds: number;
  gapsPerSec: number;
  batches: number;
  /** Per batch, ms: claim (claimDueGaps), sync (syncDocuments), settle (resolveGaps). */
  perBatchMs: { claim: number; sync: number; settle: number };
  /** Inside syncDocuments, per batch, ms: Postgres statements, MongoDB commands, and the rest (JS). */
  syncMs: { postgres: number; mongo: number; js: number };
  /** Statements per batch inside syncDocuments. */
  statementsPerBatch: number;
  /** The costliest labels (statements, MongoDB commands), ms per batch and calls per batch, worst first. */
  top: { label: string; msPerBatch: number; callsPerBatch: number }[];
}

const TOP = 10;

/**
 * Where a drain's time goes: drainGaps' main path (claim a batch, sync its documents in one call,
 * resolve them) replayed step by step with each step timed, every statement of the sync timed through
 * a wrapped pool and every MongoDB command through the driver's monitoring. What is left of the sync's
 * wall time is JavaScript in this process (mapping, EJSON, row building, driver decoding).
 */
export async function profileDrain(
  stores: { pool: pg.Pool; mongo: MongoDb; client: MongoClient },
  collection: string,
  ids: readonly unknown[],
  batchSize: number,
  historyRows = 0,
): Promise<DrainProfile> {
  await stores.mongo.collection(collection).updateMany({}, { $set: { updatedAt: new Date() } });
  await clearGaps(stores.pool);
  if (historyRows > 0) await addResolvedHistory(stores.pool, collection, historyRows);
  await recordGapsInBulk(stores.pool, collection, ids);
  const pgBook = new TimeBook();
  const mongoBook = new TimeBook();
  const pool = timedPool(stores.pool, pgBook);
  const stopMonitoring = monitorMongo(stores.client, mongoBook);
  const steps = { claim: 0, sync: 0, settle: 0 };
  let batches = 0;
  let gaps = 0;
  const started = performance.now();
  try {
    for (;;) {
      let t = performance.now();
      const batch = await claimDueGaps(stores.pool, { limit: batchSize, leaseMs: DRAIN_DEFAULTS.leaseMs });
      steps.claim += performance.now() - t;
      if (batch.length === 0) break;
      batches += 1;
      gaps += batch.length;
      t = performance.now();
      await syncDocuments(
        pool,
        stores.mongo,
        collection,
        batch.flatMap((gap) => decodeGapIds(gap.idJson, gap.legacyId)),
      );
      steps.sync += performance.now() - t;
      t = performance.now();
      await resolveGaps(stores.pool, batch);
      steps.settle += performance.now() - t;
      if (batch.length < batchSize) break;
    }
  } finally {
    stopMonitoring();
  }
  const seconds = (performance.now() - started) / 1000;
  const per = (ms: number) => round(ms / Math.max(1, batches));
  const postgres = pgBook.totalMs();
  const mongo = mongoBook.totalMs();
  const top = [...pgBook.entries, ...mongoBook.entries]
    .sort(([, a], [, b]) => b.ms - a.ms)
    .slice(0, TOP)
    .map(([label, { ms, count }]) => ({ label, msPerBatch: per(ms), callsPerBatch: per(count) }));
  return {
    collection,
    batchSize,
    historyRows,
    gaps,
    seconds: round(seconds),
    gapsPerSec: round(gaps / seconds),
    batches,
    perBatchMs: { claim: per(steps.claim), sync: per(steps.sync), settle: per(steps.settle) },
    syncMs: { postgres: per(postgres), mongo: per(mongo), js: per(steps.sync - postgres - mongo) },
    statementsPerBatch: per(pgBook.count()),
    top,
  };
}
