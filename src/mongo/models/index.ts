// eslint-disable-next-line @typescript-eslint/no-unused-vars -- in scope so declaration emit can name it (TS4023)
import type { bsonType } from 'bson';
import type { Connection, Schema } from 'mongoose';
import { addressSchema } from './address.js';
import { categorySchema } from './category.js';
import { configSettingSchema } from './configSetting.js';
import { configSettingHistorySchema } from './configSettingHistory.js';
import { derivedDestinationSchema } from './derivedDestination.js';
import { disputeSchema } from './dispute.js';
import { fundsLedgerEntrySchema } from './fundsLedgerEntry.js';
import { levelConfigSchema } from './levelConfig.js';
import { paymentSchema } from './payment.js';
import { pointTransactionSchema } from './pointTransaction.js';
import { purchaseRequestSchema } from './purchaseRequest.js';
import { reviewSchema } from './review.js';
import { sellerOfferSchema } from './sellerOffer.js';
import { shopSettingsSchema } from './shopSettings.js';
import { trezorAccountSchema } from './trezorAccount.js';
import { userSchema } from './user.js';

export { USER_ROLES, USER_STATUSES } from './user.js';
export { BUDGET_CURRENCIES, DELIVERY_METHODS, PURCHASE_REQUEST_STATUSES } from './purchaseRequest.js';
export { SELLER_OFFER_STATUSES } from './sellerOffer.js';
export { DISPUTE_REASONS, DISPUTE_STATUSES, EVIDENCE_TYPES } from './dispute.js';
export {
  addressSchema,
  categorySchema,
  configSettingHistorySchema,
  configSettingSchema,
  disputeSchema,
  levelConfigSchema,
  purchaseRequestSchema,
  reviewSchema,
  sellerOfferSchema,
  shopSettingsSchema,
  userSchema,
};

/** A model compiled on `connection`, or the one already compiled there (registering twice throws). */
function bind<TSchema extends Schema>(connection: Connection, name: string, schema: TSchema) {
  const compile = () => connection.model(name, schema);
  return (connection.models[name] ?? compile()) as ReturnType<typeof compile>;
}

/**
 * The legacy models bound to one connection. No `mongoose.model()` at import time: tests and the
 * synthetic seeder each bring their own connection, and a global registry would leak between them.
 */
export function registerModels(connection: Connection) {
  return {
    User: bind(connection, 'User', userSchema),
    Address: bind(connection, 'Address', addressSchema),
    Category: bind(connection, 'Category', categorySchema),
    LevelConfig: bind(connection, 'LevelConfig', levelConfigSchema),
    ConfigSetting: bind(connection, 'ConfigSetting', configSettingSchema),
    ConfigSettingHistory: bind(connection, 'ConfigSettingHistory', configSettingHistorySchema),
    ShopSettings: bind(connection, 'ShopSettings', shopSettingsSchema),
    PurchaseRequest: bind(connection, 'PurchaseRequest', purchaseRequestSchema),
    SellerOffer: bind(connection, 'SellerOffer', sellerOfferSchema),
    Review: bind(connection, 'Review', reviewSchema),
    Dispute: bind(connection, 'Dispute', disputeSchema),
    Payment: bind(connection, 'Payment', paymentSchema),
    FundsLedgerEntry: bind(connection, 'FundsLedgerEntry', fundsLedgerEntrySchema),
    DerivedDestination: bind(connection, 'DerivedDestination', derivedDestinationSchema),
    TrezorAccount: bind(connection, 'TrezorAccount', trezorAccountSchema),
    PointTransaction: bind(connection, 'PointTransaction', pointTransactionSchema),
  };
}

export type LegacyModels = ReturnType<typeof registerModels>;
