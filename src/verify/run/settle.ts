import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { syncDocuments } from '../../sync/syncDocuments.js';
import { recheckDocuments } from './engine.js';
import { VERIFY_DEFAULTS } from './options.js';
import {
  readMismatches,
  setMismatchStatus,
  updateMismatches,
  type FoundMismatch,
  type StoredMismatch,
} from './store.js';

/** Documents per recheck or repair call: one advisory lock each, one MongoDB `$in` read. */
const BATCH = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** JSON with object keys sorted: a detail read back from jsonb has its keys in jsonb's order. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What makes two sightings of a mismatch "the same": a write still in flight changes it. */
const signature = (m: { kind: string; columns: readonly string[]; diff?: unknown; detail?: unknown }) =>
  stable([m.kind, [...m.columns].sort(), m.diff ?? m.detail ?? null]);

async function recheck(
  pool: pg.Pool,
  mongo: MongoDb,
  collection: string,
  pending: readonly StoredMismatch[],
): Promise<Map<string, FoundMismatch>> {
  const found = new Map<string, FoundMismatch>();
  for (let i = 0; i < pending.length; i += BATCH) {
    const batch = pending.slice(i, i + BATCH);
    for (const m of await recheckDocuments(
      pool,
      mongo,
      collection,
      batch.map((p) => p.id),
    )) {
      found.set(m.legacyId, m);
    }
  }
  return found;
}

/**
 * The generational recheck (plan §7: under live writes a mismatch counts only when it survives a
 * recheck after a lag window). Each generation waits `lagMs`, then compares the settling documents
 * again under their document locks:
 *   agree now                  → cleared
 *   differ exactly as before   → confirmed (a write in flight would have changed it)
 *   differ differently         → still settling, next generation
 * After the last generation whatever still moves is confirmed: a document rewritten faster than the lag
 * forever is not one the verifier can vouch for.
 */
export async function settleMismatches(
  pool: pg.Pool,
  mongo: MongoDb,
  resultId: number,
  collection: string,
  lagMs: number,
  generations: number = VERIFY_DEFAULTS.generations,
): Promise<void> {
  let pending = await readMismatches(pool, resultId, 'settling');
  for (let generation = 1; generation <= generations && pending.length > 0; generation++) {
    await sleep(lagMs);
    const found = await recheck(pool, mongo, collection, pending);
    const cleared: string[] = [];
    const same: FoundMismatch[] = [];
    const moved: FoundMismatch[] = [];
    for (const before of pending) {
      const now = found.get(before.legacyId);
      if (!now) cleared.push(before.legacyId);
      else if (signature(now) === signature(before)) same.push(now);
      else moved.push(now);
    }
    await setMismatchStatus(pool, resultId, cleared, 'cleared');
    await updateMismatches(pool, resultId, collection, same, 'confirmed');
    await updateMismatches(pool, resultId, collection, moved, 'settling');
    pending = await readMismatches(pool, resultId, 'settling');
  }
  await setMismatchStatus(
    pool,
    resultId,
    pending.map((m) => m.legacyId),
    'confirmed',
  );
}

/**
 * `--repair`: the confirmed documents go through the dual write's own operation (sync: lock, re-read
 * MongoDB, map, write), then are compared again. Those that agree are `repaired`; the rest stay
 * confirmed, with what differs now. Returns how many were repaired.
 */
export async function repairConfirmed(
  pool: pg.Pool,
  mongo: MongoDb,
  resultId: number,
  collection: string,
): Promise<number> {
  const confirmed = await readMismatches(pool, resultId, 'confirmed');
  for (let i = 0; i < confirmed.length; i += BATCH) {
    await syncDocuments(
      pool,
      mongo,
      collection,
      confirmed.slice(i, i + BATCH).map((m) => m.id),
    );
  }
  const found = await recheck(pool, mongo, collection, confirmed);
  const repaired = confirmed.filter((m) => !found.has(m.legacyId)).map((m) => m.legacyId);
  await setMismatchStatus(pool, resultId, repaired, 'repaired');
  await updateMismatches(pool, resultId, collection, [...found.values()], 'confirmed');
  return repaired.length;
}
