import { EJSON } from 'bson';
import type { Db as MongoDb } from 'mongodb';
import { expect } from 'vitest';
import { withWriteLog, type WriteLog } from '../../src/repositories/seam/writeLog.js';

type Snapshot = Map<string, Map<string, string>>;

const keyOf = (id: unknown) => `${typeof id === 'object' ? 'o' : 's'}:${String(id)}`;

/** Every document of every collection of the database, as canonical Extended JSON by `_id`. */
async function snapshot(db: MongoDb): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    const byId = new Map<string, string>();
    for (const doc of await db.collection(name).find({}).toArray())
      byId.set(keyOf(doc._id), EJSON.stringify(doc, { relaxed: false }));
    out.set(name, byId);
  }
  return out;
}

/**
 * Runs one repository call and checks the seam's contract from the outside: every document that the
 * call inserted, changed or removed in MongoDB (found by comparing the whole database before and after,
 * not by asking the repository) was noted in the call's write log. Returns the call's value and log.
 * Tests must run nothing else against `db` meanwhile.
 */
export async function expectNotedWrites<T>(
  db: MongoDb,
  call: () => Promise<T>,
): Promise<{ value: T; log: WriteLog; changed: { collection: string; id: string }[] }> {
  const before = await snapshot(db);
  const { log, outcome } = await withWriteLog(call);
  const after = await snapshot(db);
  const changed: { collection: string; id: string }[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(name) ?? new Map<string, string>();
    const now = after.get(name) ?? new Map<string, string>();
    for (const id of new Set([...was.keys(), ...now.keys()]))
      if (was.get(id) !== now.get(id)) changed.push({ collection: name, id });
  }
  const noted = new Set(log.collections.flatMap((c) => log.documentsOf(c).map((d) => `${c}/${keyOf(d.id)}`)));
  const unnoted = changed.filter((c) => !noted.has(`${c.collection}/${c.id}`));
  expect(unnoted, 'documents written in MongoDB but not noted for the dual-write seam').toEqual([]);
  if (!outcome.ok) throw outcome.error;
  return { value: outcome.value, log, changed };
}
