import type { IAddressRepo } from '../../repositories/domain/addresses.js';
import type { ICategoryRepo } from '../../repositories/domain/categories.js';
import type { IConfigSettingRepo } from '../../repositories/domain/configSettings.js';
import type { IDerivedDestinationRepo } from '../../repositories/domain/derivedDestinations.js';
import type { IDisputeRepo } from '../../repositories/domain/disputes.js';
import type { ILedgerRepo } from '../../repositories/domain/ledger.js';
import type { ILevelConfigRepo } from '../../repositories/domain/levelConfigs.js';
import type { IPaymentRepo } from '../../repositories/domain/payments.js';
import type { IPointTransactionRepo } from '../../repositories/domain/pointTransactions.js';
import type { IPurchaseRequestRepo } from '../../repositories/domain/purchaseRequests.js';
import type { IReviewRepo } from '../../repositories/domain/reviews.js';
import type { ISellerOfferRepo } from '../../repositories/domain/sellerOffers.js';
import type { IShopSettingsRepo } from '../../repositories/domain/shopSettings.js';
import type { ITrezorAccountRepo } from '../../repositories/domain/trezorAccounts.js';
import type { IUserRepo } from '../../repositories/domain/users.js';

/**
 * The read methods of each domain repository, by the collection it is routed under: the only calls a
 * shadow read may repeat on Postgres. Listed rather than guessed from the name (`get`, `find…`), because
 * repeating a write on Postgres behind the dual-write seam would be a second, unsynchronised write. A
 * method missing here is simply never shadowed. Typed against the interfaces, so a renamed read fails
 * to compile instead of silently dropping out.
 */
const readsOf =
  <R>() =>
  <const M extends readonly (keyof R & string)[]>(methods: M): M =>
    methods;

export const SHADOW_READ_METHODS = {
  users: readsOf<IUserRepo>()(['findById', 'findByEmail', 'findByReferralCode', 'list']),
  addresses: readsOf<IAddressRepo>()(['findById', 'listByUser']),
  categories: readsOf<ICategoryRepo>()(['findById', 'listChildren']),
  levelconfigs: readsOf<ILevelConfigRepo>()(['findByLevel', 'list']),
  configsettings: readsOf<IConfigSettingRepo>()(['get', 'list', 'history']),
  shopsettings: readsOf<IShopSettingsRepo>()(['get']),
  purchaserequests: readsOf<IPurchaseRequestRepo>()(['findById', 'listByBuyer', 'listOpen']),
  selleroffers: readsOf<ISellerOfferRepo>()(['findById', 'listByRequest', 'listBySeller']),
  reviews: readsOf<IReviewRepo>()(['findById', 'listForReviewee']),
  payments: readsOf<IPaymentRepo>()(['findById', 'findByProviderPaymentId', 'listByBuyer', 'listByStatus']),
  fundsledgerentries: readsOf<ILedgerRepo>()(['findById', 'findByIdempotencyKey', 'listByUser', 'balance']),
  deriveddestinations: readsOf<IDerivedDestinationRepo>()(['findById', 'findByAddress', 'listByBuyer']),
  trezoraccounts: readsOf<ITrezorAccountRepo>()(['findById', 'findByXpub', 'list']),
  pointtransactions: readsOf<IPointTransactionRepo>()(['findById', 'listByUser']),
  disputes: readsOf<IDisputeRepo>()(['findById', 'listByPurchaseRequest', 'listOpen']),
} as const satisfies Record<string, readonly string[]>;

const BY_COLLECTION: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(SHADOW_READ_METHODS).map(([collection, methods]) => [collection, new Set(methods)]),
);

/** True only for a method listed above for that collection: everything else counts as a write. */
export function isShadowRead(collection: string, method: string): boolean {
  return BY_COLLECTION.get(collection)?.has(method) ?? false;
}
