import { addresses } from './collections/addresses.js';
import { categories } from './collections/categories.js';
import { configSettingHistories } from './collections/configSettingHistories.js';
import { configSettings } from './collections/configSettings.js';
import { derivedDestinations } from './collections/derivedDestinations.js';
import { disputes } from './collections/disputes.js';
import { fundsLedgerEntries } from './collections/fundsLedgerEntries.js';
import { LEVELS, levelConfigs } from './collections/levelConfigs.js';
import { payments } from './collections/payments.js';
import { pointTransactions } from './collections/pointTransactions.js';
import { purchaseRequests } from './collections/purchaseRequests.js';
import { reviews } from './collections/reviews.js';
import { sellerOffers } from './collections/sellerOffers.js';
import { shopSettings } from './collections/shopSettings.js';
import { trezorAccounts } from './collections/trezorAccounts.js';
import { users } from './collections/users.js';
import type { CollectionGenerator } from './generator.js';

/**
 * How many documents a collection gets out of `docs`: a fixed number (reference tables), or a share.
 * Shares are production shares of the whole 16-collection migrated schema and sum to 1; the plan
 * normalises them over the registered collections anyway, so the total stays ≈ docs.
 */
export type Size = { readonly fixed: (docs: number) => number } | { readonly share: number };

export interface RegistryEntry {
  readonly generator: CollectionGenerator;
  readonly size: Size;
}

/** Clamp(round(docs / per), min, max): reference tables that grow slowly with the platform. */
const slowly =
  (per: number, min: number, max: number) =>
  (docs: number): number =>
    Math.min(max, Math.max(min, Math.round(docs / per)));

/**
 * Every generated collection, parents first (the seeder inserts in this order; purchaserequests before
 * selleroffers, the back edge of their cycle being offers[]/acceptedOfferId). The one place that sets
 * proportions; adding a collection is one generator file and one line here.
 *
 * | collection             | size                                    | of 1M docs (seed 42) | why                                  |
 * |------------------------|-----------------------------------------|----------------------|--------------------------------------|
 * | levelconfigs           | 10                                      | 10                   | one row per level                    |
 * | users                  | share 0.145                             | 144,962 (14.5%)      | the FK hub                           |
 * | configsettings         | clamp(docs/500, 20, 200)                | 200                  | 40% pre-2024 string `_id`s           |
 * | configsettinghistories | share 0.01                              | 9,997 (1%)           | a few changes per setting            |
 * | categories             | share 0.01                              | 9,997 (1%)           | a small tree                         |
 * | addresses              | share 0.175                             | 174,955 (17.5%)      | ~1.2 per migrating user              |
 * | shopsettings           | share 0.02, ≤ 1 per migrating seller    | 19,995 (2%)          | 20% sellers, ~70% run a shop         |
 * | purchaserequests       | share 0.06                              | 59,984 (6%)          | ~0.4 per user; 58% get paid          |
 * | selleroffers           | share 0.15 (exactly as the market deals)| 149,961 (15%)        | ~2.9 per answered request (2.5 avg)  |
 * | payments               | share 0.10                              | 99,974 (10%)         | ~2.9 per paid request; 12% template  |
 * | fundsledgerentries     | share 0.15                              | 149,961 (15%)        | ~1.5 per payment: hold, fees, release|
 * | deriveddestinations    | share 0.03, ≤ 4 per buyer               | 29,992 (3%)          | ~2.5 per buyer that has any          |
 * | trezoraccounts         | clamp(docs/20000, 10, 50)               | 50                   | a handful of HD accounts per chain   |
 * | pointtransactions      | share 0.10                              | 99,974 (10%)         | earn/spend/referral history          |
 * | disputes               | share 0.01                              | 9,997 (1%)           | ~1 in 3.5 paid requests              |
 * | reviews                | share 0.04                              | 39,990 (4%)          | buyer ⇄ seller after a paid request  |
 */
export const REGISTRY: readonly RegistryEntry[] = [
  { generator: levelConfigs, size: { fixed: () => LEVELS.length } },
  { generator: users, size: { share: 0.145 } },
  { generator: configSettings, size: { fixed: slowly(500, 20, 200) } },
  { generator: configSettingHistories, size: { share: 0.01 } },
  { generator: categories, size: { share: 0.01 } },
  { generator: addresses, size: { share: 0.175 } },
  { generator: shopSettings, size: { share: 0.02 } },
  { generator: purchaseRequests, size: { share: 0.06 } },
  { generator: sellerOffers, size: { share: 0.15 } },
  { generator: payments, size: { share: 0.1 } },
  { generator: fundsLedgerEntries, size: { share: 0.15 } },
  { generator: derivedDestinations, size: { share: 0.03 } },
  { generator: trezorAccounts, size: { fixed: slowly(20_000, 10, 50) } },
  { generator: pointTransactions, size: { share: 0.1 } },
  { generator: disputes, size: { share: 0.01 } },
  { generator: reviews, size: { share: 0.04 } },
];
