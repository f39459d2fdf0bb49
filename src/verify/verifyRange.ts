import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { chunkFilter } from '../backfill/copyChunk.js';
import type { IdRange } from '../backfill/ranges.js';
import { REGISTRY } from '../collections/registry.js';
import type { LegacyDoc } from '../collections/spec.js';
import { compareDocuments } from './compareDocuments.js';
import { VerifyError } from './errors.js';
import { rowsInRange } from './rangeRows.js';
import type { RangeVerdict } from './types.js';

/**
 * Verifies one `_id` range of a collection: its MongoDB documents (read first, as a chunk reads them)
 * against its Postgres rows, tombstones included. Postgres is read in one REPEATABLE READ snapshot so the
 * rows, child rows, rejects and gaps agree with each other. No lock is taken: under live writes a
 * difference may be a write in flight, which is why a mismatch only counts once recheckDocuments
 * confirms it after the lag window.
 */
export async function verifyRange(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
  range: IdRange,
): Promise<RangeVerdict> {
  const spec = REGISTRY.get(collection);
  const docs = (await mongo
    .collection(collection)
    .find(chunkFilter({ runId: null, range, since: null }), { sort: { _id: 1 } })
    .toArray()) as LegacyDoc[];
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const verdict = await compareDocuments(client, spec, docs, await rowsInRange(client, spec, range));
    await client.query('COMMIT');
    return verdict;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new VerifyError(collection, `range ${describeRange(range)}`, error);
  } finally {
    client.release();
  }
}

function describeRange(range: IdRange): string {
  const text = (v: unknown) => (v === null || v === undefined ? '∞' : String(v));
  return `${range.type} [${text(range.lo)}, ${text(range.hi)})`;
}
