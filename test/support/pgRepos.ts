import { ObjectId } from 'bson';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { withWriteLog, type WriteLog } from '../../src/repositories/seam/writeLog.js';
import { syncDocuments } from '../../src/sync/syncDocuments.js';
import { useMongoRepos, type MongoRepos } from './mongoRepos.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/** What a Postgres repository test works with, ready from its beforeAll on. */
export interface PgRepos extends MongoRepos {
  readonly database: TestDatabase;
  /** A pool on the suite's fresh test database, recording every statement Postgres refused. */
  readonly pool: pg.Pool;
  /** `SQLSTATE constraint` of every statement the pool's clients saw refused (one array for the suite). */
  readonly failures: string[];
  /** A user in MongoDB, synced to Postgres (as a backfill would have left her): the same id in both stores. */
  newUser(): Promise<string>;
}

/**
 * A pool whose clients record every statement Postgres refused (SQLSTATE and constraint): the proof that
 * e.g. a partial unique index never fired and no deadlock was retried, rather than an absence of caller
 * errors alone.
 */
export function recordingPool(url: string, max = 8): { pool: pg.Pool; failures: string[] } {
  const failures: string[] = [];
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  const record = (error: { code?: string; constraint?: string } | null | undefined) => {
    if (error) failures.push(`${error.code ?? '?'} ${error.constraint ?? ''}`.trim());
  };
  pool.on('connect', (client) => {
    type Query = (...args: unknown[]) => unknown;
    const query = client.query.bind(client) as Query;
    (client as unknown as { query: Query }).query = (...args) => {
      // pool.query passes a callback; a client's own callers take the promise.
      const last = args[args.length - 1];
      if (typeof last === 'function')
        return query(...args.slice(0, -1), (error: { code?: string } | null, result: unknown) => {
          record(error);
          (last as (e: unknown, r: unknown) => void)(error, result);
        });
      const result = query(...args);
      if (result instanceof Promise) result.catch(record);
      return result;
    };
  });
  return { pool, failures };
}

/**
 * Registers the suite's beforeAll and afterAll: everything useMongoRepos opens, plus a fresh test
 * database (createTestDatabase) and a recordingPool on it; all closed (and the database dropped) after
 * the suite. `setup` runs in a beforeAll once both stores are open: build the Mongo and Drizzle
 * repositories there and `init()` the models whose unique indexes the tests rely on.
 *
 * The returned object's properties are getters, read inside hooks and tests (not at collection time).
 */
export function usePgRepos(
  setup?: (repos: PgRepos) => void | Promise<void>,
  options: { max?: number } = {},
): PgRepos {
  let database: TestDatabase | undefined;
  let opened: { pool: pg.Pool; failures: string[] } | undefined;
  const mongo = useMongoRepos();
  const current = () => {
    if (!database || !opened)
      throw new Error('usePgRepos: the Postgres fixture is read before its beforeAll ran');
    return { database, ...opened };
  };

  const repos: PgRepos = {
    get ctx() {
      return mongo.ctx;
    },
    get db() {
      return mongo.db;
    },
    get connection() {
      return mongo.connection;
    },
    get database() {
      return current().database;
    },
    get pool() {
      return current().pool;
    },
    get failures() {
      return current().failures;
    },
    async newUser() {
      const _id = new ObjectId();
      await mongo.db.collection('users').insertOne({
        _id,
        email: `${_id.toHexString()}@example.com`,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      await syncDocuments(current().pool, mongo.db, 'users', [_id]);
      return _id.toHexString();
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    opened = recordingPool(database.url, options.max);
    await setup?.(repos);
  });
  afterAll(async () => {
    await opened?.pool.end();
    await database?.drop();
  });

  return repos;
}

/** Every row `sql` answers (`legacy_object_id`, `row`) by legacy id, as comparable JSON. */
export async function snapshotByLegacyId(pool: pg.Pool, sql: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ legacy_object_id: string; row: unknown }>(sql);
  return new Map(rows.map((r) => [r.legacy_object_id, JSON.stringify(r.row)]));
}

export interface NotedRowsOptions {
  /** Fail when the call changed no row (default true). */
  readonly requireChange?: boolean;
  /** The noted documents must be exactly the changed ones (default true); else only a superset. */
  readonly exact?: boolean;
  /** A row that went must be noted as `delete` (default: every change is an `upsert`). */
  readonly deletes?: boolean;
  /** Prefix of the failure message naming a changed row that was not noted. */
  readonly label?: string;
}

/**
 * Runs one call and checks from the outside (the table before and after, not the repository's word)
 * that every document of `collection` whose rows changed was noted, and that nothing of any other
 * collection was.
 */
export async function expectNotedRows<T>(
  collection: string,
  snapshot: () => Promise<Map<string, string>>,
  call: () => Promise<T>,
  { requireChange = true, exact = true, deletes = false, label = '' }: NotedRowsOptions = {},
): Promise<{ value: T; log: WriteLog }> {
  const before = await snapshot();
  const { log, outcome } = await withWriteLog(call);
  const after = await snapshot();
  const noted = new Map(log.documentsOf(collection).map((d) => [(d.id as ObjectId).toHexString(), d.op]));
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
    (id) => before.get(id) !== after.get(id),
  );
  if (requireChange) expect(changed.length, 'the call changed no row').toBeGreaterThan(0);
  for (const id of changed)
    expect(noted.get(id), `${label}${id} changed but was not noted`).toBe(
      deletes && !after.has(id) ? 'delete' : 'upsert',
    );
  if (exact) expect([...noted.keys()].sort()).toEqual([...changed].sort());
  expect(log.collections.filter((c) => c !== collection)).toEqual([]);
  if (!outcome.ok) throw outcome.error;
  return { value: outcome.value, log };
}

/**
 * Ids replaced by their names (an id no call named, e.g. a subdocument's own `_id` allocated by each
 * store, by 'oid'); dates only checked.
 */
export function named(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/[0-9a-f]{24}/g, (id) => names.get(id) ?? 'oid');
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return value.map((v) => named(v, names));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, named(v, names)]));
  return value;
}

/**
 * Ids replaced by the name of the call that made them (an id no call named kept as it is); `createdAt` /
 * `updatedAt` only checked to be dates, other dates kept, `toJSON` left out.
 */
export function namedStamped(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/[0-9a-f]{24}/g, (id) => names.get(id) ?? id);
  if (Array.isArray(value)) return value.map((v) => namedStamped(v, names));
  if (value instanceof Date) return value;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'toJSON')
        .map(([k, v]) => [
          k,
          k === 'createdAt' || k === 'updatedAt' ? v instanceof Date : namedStamped(v, names),
        ]),
    );
  return value;
}
