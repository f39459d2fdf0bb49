/**
 * strangler as a library: the repositories a service calls during the migration (plan §1), and the
 * domain types they speak. Built to dist/ (`npm run build`) for applications that run plain Node.
 */
export { createRepositories, type Repositories, type RepositoryOptions } from './create.js';
export * from './domain/common.js';
export type * from './domain/users.js';
export type * from './domain/addresses.js';
export type * from './domain/categories.js';
export type * from './domain/levelConfigs.js';
export type * from './domain/configSettings.js';
export type * from './domain/shopSettings.js';
export type * from './domain/purchaseRequests.js';
export type * from './domain/sellerOffers.js';
export type * from './domain/reviews.js';
export type * from './domain/payments.js';
export type * from './domain/ledger.js';
export type * from './domain/derivedDestinations.js';
export type * from './domain/trezorAccounts.js';
export type * from './domain/pointTransactions.js';
export type * from './domain/disputes.js';
export type { CollectionMode } from '../modes/machine.js';
