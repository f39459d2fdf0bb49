import type { Connection } from 'mongoose';
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Db as MongoDb } from 'mongodb';
import * as schema from '../db/schema/index.js';
import type { Db } from '../db/client.js';
import { createPool } from '../db/client.js';
import type { Logger } from '../logger.js';
import { ModeReader } from '../modes/reader.js';
import { DualWriteSeam, throughSeam } from './seam/dualWrite.js';
import { mongoContext } from './mongo/context.js';
import { MongoAddressRepo } from './mongo/addresses.js';
import type { IAddressRepo } from './domain/addresses.js';

export interface RepositoryOptions {
  /** The application's Mongoose connection: its database is the source being migrated. */
  mongoose: Connection;
  /** A pool of the application's, or the Postgres URL (the repositories then own their pool). */
  pg: pg.Pool | string;
  /** Redis for mode-change messages (the workers' Redis). */
  redisUrl: string;
  /** The workers' QUEUE_PREFIX: it names the mode-change channel. @defaultValue 'strangler' */
  queuePrefix?: string;
  log?: Logger;
  /** How long a write waits for Postgres before its documents become gaps. @defaultValue 2000 */
  syncTimeoutMs?: number;
  /** How long the gap table may take before a gap goes to the MongoDB fallback store. @defaultValue 1000 */
  gapTimeoutMs?: number;
  /** How long a snapshot of the modes is trusted without a change message. @defaultValue 2000 */
  modeTtlMs?: number;
}

/** One repository per migrated domain, plus the live modes they route by. */
export interface Repositories {
  addresses: IAddressRepo;
  /** The live mode of every collection (a flip through the CLI or API is seen within `modeTtlMs`). */
  modes: ModeReader;
  /** Closes what the repositories opened (the pool only if they created it; never the Mongoose connection). */
  close(): Promise<void>;
}

/**
 * The library's entry point (plan §1): services call these repositories instead of Mongoose models.
 * Each writes MongoDB, which stays authoritative and answers the caller; a collection whose live mode
 * is past `mongo` then has the written documents followed into Postgres by the dual-write seam
 * (./seam/dualWrite.ts), never on the caller's error path.
 */
export function createRepositories(options: RepositoryOptions): Repositories {
  const ownsPool = typeof options.pg === 'string';
  const pool =
    typeof options.pg === 'string'
      ? createPool({ url: options.pg, applicationName: 'strangler-repositories' })
      : options.pg;
  const db = drizzle(pool, { schema }) as Db;
  const modes = new ModeReader({
    db,
    redisUrl: options.redisUrl,
    prefix: options.queuePrefix ?? 'strangler',
    ttlMs: options.modeTtlMs,
    log: options.log,
  });
  // The driver database under the application's connection: the sync reads documents back through it.
  const mongo = options.mongoose.getClient().db(options.mongoose.name) as unknown as MongoDb;
  const seam = new DualWriteSeam({
    pool,
    mongo,
    modes,
    log: options.log?.child({ component: 'dual-write' }),
    syncTimeoutMs: options.syncTimeoutMs,
    gapTimeoutMs: options.gapTimeoutMs,
  });
  const ctx = mongoContext(options.mongoose);
  return {
    addresses: throughSeam(new MongoAddressRepo(ctx), seam),
    modes,
    async close() {
      await modes.close();
      if (ownsPool) await pool.end();
    },
  };
}
