import type { SELLER_OFFER_STATUSES } from '../../legacy/enums.js';
import type { DomainObject, Id, Money, Page } from './common.js';

export type SellerOfferStatus = (typeof SELLER_OFFER_STATUSES)[number];

export interface SellerOffer extends DomainObject {
  purchaseRequestId: Id;
  sellerId: Id;
  /** Any currency string: the legacy model never constrained it. */
  price?: Money;
  message?: string;
  deliveryDays?: number;
  /** Absent only on legacy documents that never had one. */
  status?: SellerOfferStatus;
}

export interface NewSellerOffer {
  purchaseRequestId: Id;
  sellerId: Id;
  price: Money;
  message?: string;
  deliveryDays?: number;
}

/**
 * Seller offers. An offer starts `pending`; every status change is conditional on the status it starts
 * from (one atomic write), so a withdrawal racing an acceptance has exactly one winner.
 */
export interface ISellerOfferRepo {
  /** A new offer, `pending`. Linking it to its request is the purchase-request repository's `addOffer`. */
  create(input: NewSellerOffer): Promise<SellerOffer>;
  /** Moves the offer from `from` to `to`; DomainRuleError when it is not in `from` any more. */
  changeStatus(id: Id, from: SellerOfferStatus, to: SellerOfferStatus): Promise<SellerOffer>;
  findById(id: Id): Promise<SellerOffer | null>;
  /** Every offer made on the request, oldest first. */
  listByRequest(purchaseRequestId: Id): Promise<SellerOffer[]>;
  /** The seller's offers, newest first. @defaultValue limit 50 */
  listBySeller(sellerId: Id, page?: Page): Promise<SellerOffer[]>;
}
