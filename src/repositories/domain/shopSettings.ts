import type { DomainObject, Id } from './common.js';

/** A seller's shop: one per seller. */
export interface ShopSettings extends DomainObject {
  /** Unique: the seller these settings belong to. */
  sellerId: Id;
  shopName?: string;
  description?: string;
  logoUrl?: string;
  isOpen?: boolean;
  autoAcceptOffers?: boolean;
  /** Where the seller's payouts go; never validated by the legacy app. */
  payoutAddress?: string;
}

export type ShopSettingsFields = Omit<ShopSettings, 'id' | 'sellerId' | 'createdAt' | 'updatedAt' | 'toJSON'>;

/** Sellers' shop settings, keyed by seller. */
export interface IShopSettingsRepo {
  /** The seller's settings, or null before their first update. */
  get(sellerId: Id): Promise<ShopSettings | null>;
  /** Changes the fields given, creating the seller's settings on their first update. */
  update(sellerId: Id, fields: Partial<ShopSettingsFields>): Promise<ShopSettings>;
}
