import type { BUDGET_CURRENCIES, DELIVERY_METHODS, PURCHASE_REQUEST_STATUSES } from '../../legacy/enums.js';
import type { DomainObject, Id, Money, Page } from './common.js';

export type PurchaseRequestStatus = (typeof PURCHASE_REQUEST_STATUSES)[number];
export type BudgetCurrency = (typeof BUDGET_CURRENCIES)[number];
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];
/** A patch whose `null` clears a field. */
export type Nullable<T> = { [K in keyof T]: T[K] | null };

/** The only status that takes offers and lets one be accepted. */
export const OPEN_REQUEST_STATUS = 'open' satisfies PurchaseRequestStatus;
/** Where `acceptOffer` moves a request. */
export const ACCEPTED_REQUEST_STATUS = 'in_progress' satisfies PurchaseRequestStatus;

export interface DeliveryInfo {
  method?: DeliveryMethod;
  addressId?: Id;
  carrier?: string;
  trackingNumber?: string;
  shippedAt?: Date;
  deliveredAt?: Date;
  notes?: string;
}

export interface ServiceInfo {
  scheduledAt?: Date;
  durationMinutes?: number;
  location?: string;
  remote?: boolean;
}

export interface PurchaseRequest extends DomainObject {
  buyerId: Id;
  title?: string;
  description?: string;
  categoryId?: Id;
  quantity?: number;
  budget?: Money;
  /** Absent only on legacy documents that never had one. */
  status?: PurchaseRequestStatus;
  /** The seller offers made on the request, oldest first; legacy documents may repeat an id. */
  offers: Id[];
  preferredSellerIds: Id[];
  acceptedOfferId?: Id | null;
  deliveryInfo?: DeliveryInfo;
  serviceInfo?: ServiceInfo;
  expiresAt?: Date;
}

export interface NewPurchaseRequest {
  buyerId: Id;
  title?: string;
  description?: string;
  categoryId?: Id;
  quantity?: number;
  budget?: Money & { currency: BudgetCurrency };
  /** A draft is invisible to sellers until it is opened. @defaultValue 'open' */
  status?: 'draft' | 'open';
  preferredSellerIds?: Id[];
  deliveryInfo?: DeliveryInfo;
  serviceInfo?: ServiceInfo;
  expiresAt?: Date;
}

/**
 * Purchase requests and the moves the repositories make themselves (the others go through
 * `changeStatus`, which checks only the status a move starts from):
 *
 *   draft ─▶ open ──acceptOffer──▶ in_progress ─▶ awaiting_delivery ─▶ delivered ─▶ completed
 *             │                    └─────────── IDisputeRepo.raise, from any of these ──────▶ disputed
 *             └─▶ cancelled, expired
 *
 * Every state change is conditional on the status it starts from, in one atomic
 * write, so two concurrent callers can never both move the same request: the loser gets a
 * DomainRuleError (a NotFoundError when the request is not there at all).
 */
export interface IPurchaseRequestRepo {
  create(input: NewPurchaseRequest): Promise<PurchaseRequest>;
  /** Links a seller offer to an open request; linking the same offer twice links it once. */
  addOffer(requestId: Id, offerId: Id): Promise<PurchaseRequest>;
  /**
   * Accepts one of the request's offers: only from `open` with no offer accepted yet, and the offer
   * must be linked to the request. Sets `acceptedOfferId` and moves the request to `in_progress`
   * together. The offer's own status is the seller-offer repository's to change.
   */
  acceptOffer(requestId: Id, offerId: Id): Promise<PurchaseRequest>;
  /** Moves the request from `from` to `to`; DomainRuleError when it is not in `from` any more. */
  changeStatus(id: Id, from: PurchaseRequestStatus, to: PurchaseRequestStatus): Promise<PurchaseRequest>;
  /** Sets the fields given (null clears one); the others keep their value. */
  setDeliveryInfo(id: Id, fields: Partial<Nullable<DeliveryInfo>>): Promise<PurchaseRequest>;
  /** Sets the fields given (null clears one); the others keep their value. */
  setServiceInfo(id: Id, fields: Partial<Nullable<ServiceInfo>>): Promise<PurchaseRequest>;
  findById(id: Id): Promise<PurchaseRequest | null>;
  /** The buyer's requests, newest first. @defaultValue limit 50 */
  listByBuyer(buyerId: Id, page?: Page): Promise<PurchaseRequest[]>;
  /** Open requests not past their `expiresAt`, newest first. @defaultValue limit 50 */
  listOpen(page?: Page): Promise<PurchaseRequest[]>;
}
