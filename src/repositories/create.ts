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
import { MongoUserRepo } from './mongo/users.js';
import type { IUserRepo } from './domain/users.js';
import { MongoAddressRepo } from './mongo/addresses.js';
import type { IAddressRepo } from './domain/addresses.js';
import { MongoCategoryRepo } from './mongo/categories.js';
import type { ICategoryRepo } from './domain/categories.js';
import { MongoLevelConfigRepo } from './mongo/levelConfigs.js';
import type { ILevelConfigRepo } from './domain/levelConfigs.js';
import { MongoConfigSettingRepo } from './mongo/configSettings.js';
import type { IConfigSettingRepo } from './domain/configSettings.js';
import { MongoShopSettingsRepo } from './mongo/shopSettings.js';
import type { IShopSettingsRepo } from './domain/shopSettings.js';
import { MongoPurchaseRequestRepo } from './mongo/purchaseRequests.js';
import type { IPurchaseRequestRepo } from './domain/purchaseRequests.js';
import { MongoSellerOfferRepo } from './mongo/sellerOffers.js';
import type { ISellerOfferRepo } from './domain/sellerOffers.js';
import { MongoReviewRepo } from './mongo/reviews.js';
import type { IReviewRepo } from './domain/reviews.js';
import { MongoPaymentRepo } from './mongo/payments.js';
import type { IPaymentRepo } from './domain/payments.js';
import { MongoLedgerRepo } from './mongo/ledger.js';
import type { ILedgerRepo } from './domain/ledger.js';
import { MongoDerivedDestinationRepo } from './mongo/derivedDestinations.js';
import type { IDerivedDestinationRepo } from './domain/derivedDestinations.js';
import { MongoTrezorAccountRepo } from './mongo/trezorAccounts.js';
import type { ITrezorAccountRepo } from './domain/trezorAccounts.js';
import { MongoPointTransactionRepo } from './mongo/pointTransactions.js';
import type { IPointTransactionRepo } from './domain/pointTransactions.js';
import { MongoDisputeRepo } from './mongo/disputes.js';
import type { IDisputeRepo } from './domain/disputes.js';

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
  users: IUserRepo;
  addresses: IAddressRepo;
  categories: ICategoryRepo;
  levelConfigs: ILevelConfigRepo;
  configSettings: IConfigSettingRepo;
  shopSettings: IShopSettingsRepo;
  purchaseRequests: IPurchaseRequestRepo;
  sellerOffers: ISellerOfferRepo;
  reviews: IReviewRepo;
  payments: IPaymentRepo;
  ledger: ILedgerRepo;
  derivedDestinations: IDerivedDestinationRepo;
  trezorAccounts: ITrezorAccountRepo;
  pointTransactions: IPointTransactionRepo;
  disputes: IDisputeRepo;
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
    users: throughSeam(new MongoUserRepo(ctx), seam),
    addresses: throughSeam(new MongoAddressRepo(ctx), seam),
    categories: throughSeam(new MongoCategoryRepo(ctx), seam),
    levelConfigs: throughSeam(new MongoLevelConfigRepo(ctx), seam),
    configSettings: throughSeam(new MongoConfigSettingRepo(ctx), seam),
    shopSettings: throughSeam(new MongoShopSettingsRepo(ctx), seam),
    purchaseRequests: throughSeam(new MongoPurchaseRequestRepo(ctx), seam),
    sellerOffers: throughSeam(new MongoSellerOfferRepo(ctx), seam),
    reviews: throughSeam(new MongoReviewRepo(ctx), seam),
    payments: throughSeam(new MongoPaymentRepo(ctx), seam),
    ledger: throughSeam(new MongoLedgerRepo(ctx), seam),
    derivedDestinations: throughSeam(new MongoDerivedDestinationRepo(ctx), seam),
    trezorAccounts: throughSeam(new MongoTrezorAccountRepo(ctx), seam),
    pointTransactions: throughSeam(new MongoPointTransactionRepo(ctx), seam),
    disputes: throughSeam(new MongoDisputeRepo(ctx), seam),
    modes,
    async close() {
      await modes.close();
      if (ownsPool) await pool.end();
    },
  };
}
