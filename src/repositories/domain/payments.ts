import type {
  ESCROW_STATES,
  PAYMENT_DIRECTIONS,
  PAYMENT_PROVIDERS,
  PAYMENT_STATUSES,
} from '../../legacy/enums.js';
import type { DomainObject, Id, Money, Page } from './common.js';

export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];
export type PaymentDirection = (typeof PAYMENT_DIRECTIONS)[number];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type EscrowState = (typeof ESCROW_STATES)[number];

/** Where the money moved on chain; read and written whole by the legacy app. */
export interface PaymentOnChain {
  network?: string;
  transactionHash?: string;
  fromAddress?: string;
  toAddress?: string;
  confirmations?: number;
  blockNumber?: number;
}

/**
 * A payment. The three references are the legacy Mixed fields: a 24-hex id, or a string of the
 * provider's or the template checkout's (`tmpl_…`), or null.
 */
export interface Payment extends DomainObject {
  purchaseRequestId?: string | null;
  sellerOfferId?: string | null;
  buyerId: Id;
  sellerId?: string | null;
  amount: Money;
  provider: PaymentProvider;
  direction: PaymentDirection;
  status: PaymentStatus;
  escrowState?: EscrowState;
  providerPaymentId?: string;
  blockchain?: PaymentOnChain;
  metadata?: unknown;
  isRefunded?: boolean;
  completedAt?: Date;
}

/** A request.network pay-in the buyer is about to make (the checkout session). */
export interface NewCheckout {
  buyerId: Id;
  /** The purchase request (24-hex) or the template ref (`tmpl_…`); part of the idempotency key. */
  purchaseRequestId?: string | null;
  /** Part of the idempotency key: a checkout without an offer collides with another without one. */
  sellerOfferId?: string | null;
  sellerId?: string | null;
  amount: Money;
  providerPaymentId?: string;
  blockchain?: PaymentOnChain;
  metadata?: unknown;
}

export interface OpenedCheckout {
  payment: Payment;
  /** False when the buyer already had this checkout pending: the payment is that one. */
  created: boolean;
}

export interface Confirmation {
  /** The pay-in transaction; a retried confirm must name the same one. */
  transactionHash: string;
  network?: string;
  fromAddress?: string;
  toAddress?: string;
  confirmations?: number;
  blockNumber?: number;
  /** The AML fee charged to the buyer for this payment (positive): one ledger debit, whatever the retries. */
  amlFee?: Money;
}

/**
 * Payments. Every state change is conditional on the state it leaves, so two webhooks racing on one
 * payment cannot both win; a repeat of a change that already happened answers the payment as it is.
 *
 *   pending ────┐
 *               ├─ confirm ─► completed ─ refund ─► refunded (isRefunded: true)
 *   processing ─┘
 *
 * Every other status (failed, cancelled, expired) is final here: no method leaves it.
 */
export interface IPaymentRepo {
  /** Opens the buyer's pending checkout, or answers the one already pending for the same request and offer. */
  openPendingCheckout(input: NewCheckout): Promise<OpenedCheckout>;
  /** pending/processing → completed, and the AML fee debit in the funds ledger (idempotent per payment). */
  confirm(id: Id, confirmation: Confirmation): Promise<Payment>;
  /** completed → refunded; a payment already refunded is answered as it is. */
  refund(id: Id): Promise<Payment>;
  findById(id: Id): Promise<Payment | null>;
  findByProviderPaymentId(providerPaymentId: string): Promise<Payment | null>;
  /** The buyer's payments, newest first. */
  listByBuyer(buyerId: Id, page?: Page): Promise<Payment[]>;
  /** Payments in one status, newest first. */
  listByStatus(status: PaymentStatus, page?: Page): Promise<Payment[]>;
}

/** The ledger idempotency key of a payment's AML fee: one per payment, so a retried confirm writes one entry. */
export const amlFeeKey = (paymentId: Id): string => `aml_fee:payment:${paymentId}`;
