import type { Connection } from 'mongoose';
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Db as MongoDb } from 'mongodb';
import * as schema from '../db/schema/index.js';
import type { Db } from '../db/client.js';
import { createPool, poolLike } from '../db/client.js';
import type { Logger } from '../logger.js';
import { ModeReader } from '../modes/reader.js';
import { DualWriteSeam } from './seam/dualWrite.js';
import { PgFirstSeam } from './seam/pgFirst.js';
import { routed, type Router } from './seam/routed.js';
import { ShadowReader } from '../verify/shadow/shadowReader.js';
import { mongoContext } from './mongo/context.js';
import { MongoUserRepo } from './mongo/users.js';
import { DrizzleUserRepo } from './pg/users.js';
import type { IUserRepo } from './domain/users.js';
import { MongoAddressRepo } from './mongo/addresses.js';
import { DrizzleAddressRepo } from './pg/addresses.js';
import type { IAddressRepo } from './domain/addresses.js';
import { MongoCategoryRepo } from './mongo/categories.js';
import { DrizzleCategoryRepo } from './pg/categories.js';
import type { ICategoryRepo } from './domain/categories.js';
import { MongoLevelConfigRepo } from './mongo/levelConfigs.js';
import { DrizzleLevelConfigRepo } from './pg/levelConfigs.js';
import type { ILevelConfigRepo } from './domain/levelConfigs.js';
import { MongoConfigSettingRepo } from './mongo/configSettings.js';
import { DrizzleConfigSettingRepo } from './pg/configSettings.js';
import type { IConfigSettingRepo } from './domain/configSettings.js';
import { MongoShopSettingsRepo } from './mongo/shopSettings.js';
import { DrizzleShopSettingsRepo } from './pg/shopSettings.js';
import type { IShopSettingsRepo } from './domain/shopSettings.js';
import { MongoPurchaseRequestRepo } from './mongo/purchaseRequests.js';
import { DrizzlePurchaseRequestRepo } from './pg/purchaseRequests.js';
import type { IPurchaseRequestRepo } from './domain/purchaseRequests.js';
import { MongoSellerOfferRepo } from './mongo/sellerOffers.js';
import { DrizzleSellerOfferRepo } from './pg/sellerOffers.js';
import type { ISellerOfferRepo } from './domain/sellerOffers.js';
import { MongoReviewRepo } from './mongo/reviews.js';
import { DrizzleReviewRepo } from './pg/reviews.js';
import type { IReviewRepo } from './domain/reviews.js';
import { MongoPaymentRepo } from './mongo/payments.js';
import { DrizzlePaymentRepo } from './pg/payments.js';
import type { IPaymentRepo } from './domain/payments.js';
import { MongoLedgerRepo } from './mongo/ledger.js';
import { DrizzleLedgerRepo } from './pg/ledger.js';
import type { ILedgerRepo } from './domain/ledger.js';
import { MongoDerivedDestinationRepo } from './mongo/derivedDestinations.js';
import { DrizzleDerivedDestinationRepo } from './pg/derivedDestinations.js';
import type { IDerivedDestinationRepo } from './domain/derivedDestinations.js';
import { MongoTrezorAccountRepo } from './mongo/trezorAccounts.js';
import { DrizzleTrezorAccountRepo } from './pg/trezorAccounts.js';
import type { ITrezorAccountRepo } from './domain/trezorAccounts.js';
import { MongoPointTransactionRepo } from './mongo/pointTransactions.js';
import { DrizzlePointTransactionRepo } from './pg/pointTransactions.js';
import type { IPointTransactionRepo } from './domain/pointTransactions.js';
import { MongoDisputeRepo } from './mongo/disputes.js';
import { DrizzleDisputeRepo } from './pg/disputes.js';
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
  /**
   * How long after a change of the authoritative store (dual ↔ pg) calls keep going to the previous
   * one, so that every process switches together (src/modes/settle.ts). Must exceed `modeTtlMs` plus the
   * longest write of either mode, in EVERY process of the application: give them all the same value.
   * @defaultValue 3 × modeTtlMs + 4000
   */
  settleMs?: number;
  /** How long a pg-mode write waits for MongoDB to take its mirror before it becomes reverse gaps. @defaultValue 2000 */
  mirrorTimeoutMs?: number;
  /**
   * Share (0..1) of `dual`-mode reads also asked of Postgres off the caller's path and compared
   * (src/verify/shadow). @defaultValue 0 (off)
   */
  shadowReadShare?: number;
  /** How long after a shadow-read difference both stores are asked again. @defaultValue 5000 */
  shadowRecheckMs?: number;
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
  /** The dual-mode shadow reads (counts are flushed every second; `flush()` forces it). */
  shadowReads: ShadowReader;
  /** Closes what the repositories opened (the pool only if they created it; never the Mongoose connection). */
  close(): Promise<void>;
}

/**
 * The library's entry point (plan §1): services call these repositories instead of Mongoose models.
 * Each call goes by its collection's live mode (./seam/routed.ts):
 * - `mongo`, `dual`: the Mongo repository writes MongoDB, which answers the caller; in `dual` the
 *   written documents are then followed into Postgres by the dual-write seam (./seam/dualWrite.ts);
 * - `pg`, `decommissioned`: the Drizzle repository writes Postgres in one transaction, whose commit
 *   answers the caller; in `pg` the written documents are then mirrored into MongoDB (./seam/pgFirst.ts).
 * The other store's failure is never the caller's: it becomes a gap, drained later.
 */
export function createRepositories(options: RepositoryOptions): Repositories {
  const ownsPool = typeof options.pg === 'string';
  const pool =
    typeof options.pg === 'string'
      ? createPool({ url: options.pg, applicationName: 'strangler-repositories' })
      : options.pg;
  const control = controlPool(options.pg);
  const modes = new ModeReader({
    db: drizzle(control, { schema }) as Db,
    redisUrl: options.redisUrl,
    prefix: options.queuePrefix ?? 'strangler',
    ttlMs: options.modeTtlMs,
    settleMs: options.settleMs,
    log: options.log,
  });
  // The driver database under the application's connection: the sync reads documents back through it.
  const mongo = options.mongoose.getClient().db(options.mongoose.name) as unknown as MongoDb;
  const router: Router = {
    modes,
    mongoFirst: new DualWriteSeam({
      pool,
      mongo,
      modes,
      log: options.log?.child({ component: 'dual-write' }),
      syncTimeoutMs: options.syncTimeoutMs,
      gapTimeoutMs: options.gapTimeoutMs,
    }),
    pgFirst: new PgFirstSeam({
      pool,
      gapPool: control,
      mongo,
      modes,
      log: options.log?.child({ component: 'pg-first' }),
      mirrorTimeoutMs: options.mirrorTimeoutMs,
    }),
  };
  // Its rows go through the control pool: shadow reads must never take a caller's connection to be counted.
  const shadowReads = new ShadowReader({
    pool: control,
    modes,
    share: options.shadowReadShare,
    recheckMs: options.shadowRecheckMs,
    log: options.log?.child({ component: 'shadow-reads' }),
  });
  router.shadow = shadowReads;
  const ctx = mongoContext(options.mongoose);
  const pgCtx = { pool };
  return {
    users: routed<IUserRepo>('users', new MongoUserRepo(ctx), new DrizzleUserRepo(pgCtx), router),
    addresses: routed<IAddressRepo>(
      'addresses',
      new MongoAddressRepo(ctx),
      new DrizzleAddressRepo(pgCtx),
      router,
    ),
    categories: routed<ICategoryRepo>(
      'categories',
      new MongoCategoryRepo(ctx),
      new DrizzleCategoryRepo(pgCtx),
      router,
    ),
    levelConfigs: routed<ILevelConfigRepo>(
      'levelconfigs',
      new MongoLevelConfigRepo(ctx),
      new DrizzleLevelConfigRepo(pgCtx),
      router,
    ),
    configSettings: routed<IConfigSettingRepo>(
      'configsettings',
      new MongoConfigSettingRepo(ctx),
      new DrizzleConfigSettingRepo(pgCtx),
      router,
    ),
    shopSettings: routed<IShopSettingsRepo>(
      'shopsettings',
      new MongoShopSettingsRepo(ctx),
      new DrizzleShopSettingsRepo(pgCtx),
      router,
    ),
    purchaseRequests: routed<IPurchaseRequestRepo>(
      'purchaserequests',
      new MongoPurchaseRequestRepo(ctx),
      new DrizzlePurchaseRequestRepo(pgCtx),
      router,
    ),
    sellerOffers: routed<ISellerOfferRepo>(
      'selleroffers',
      new MongoSellerOfferRepo(ctx),
      new DrizzleSellerOfferRepo(pgCtx),
      router,
    ),
    reviews: routed<IReviewRepo>('reviews', new MongoReviewRepo(ctx), new DrizzleReviewRepo(pgCtx), router),
    payments: routed<IPaymentRepo>(
      'payments',
      new MongoPaymentRepo(ctx),
      new DrizzlePaymentRepo(pgCtx),
      router,
    ),
    ledger: routed<ILedgerRepo>(
      'fundsledgerentries',
      new MongoLedgerRepo(ctx),
      new DrizzleLedgerRepo(pgCtx),
      router,
    ),
    derivedDestinations: routed<IDerivedDestinationRepo>(
      'deriveddestinations',
      new MongoDerivedDestinationRepo(ctx),
      new DrizzleDerivedDestinationRepo(pgCtx),
      router,
    ),
    trezorAccounts: routed<ITrezorAccountRepo>(
      'trezoraccounts',
      new MongoTrezorAccountRepo(ctx),
      new DrizzleTrezorAccountRepo(pgCtx),
      router,
    ),
    pointTransactions: routed<IPointTransactionRepo>(
      'pointtransactions',
      new MongoPointTransactionRepo(ctx),
      new DrizzlePointTransactionRepo(pgCtx),
      router,
    ),
    disputes: routed<IDisputeRepo>(
      'disputes',
      new MongoDisputeRepo(ctx),
      new DrizzleDisputeRepo(pgCtx),
      router,
    ),
    modes,
    shadowReads,
    async close() {
      await shadowReads.close();
      await modes.close();
      await control.end();
      if (ownsPool) await pool.end();
    },
  };
}

/**
 * Three connections of the repositories' own, beside the data pool, for the mode lookups and the reverse
 * gaps. A pg-mode call holds its documents' locks from its commit until MongoDB has answered its mirror
 * (./seam/pgFirst.ts); meanwhile other calls on the same hot document wait for that lock, each holding
 * a data-pool client. Were the holder to need a data-pool client for a mode lookup or a gap row, it
 * would wait for them while they wait for it. These never queue behind a data write.
 */
function controlPool(target: RepositoryOptions['pg']): pg.Pool {
  const name = 'strangler-repositories-control';
  return typeof target === 'string'
    ? createPool({ url: target, max: 3, applicationName: name })
    : poolLike(target, 3, name);
}
