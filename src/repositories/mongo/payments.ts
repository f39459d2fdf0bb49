import { Types } from 'mongoose';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import {
  amlFeeKey,
  type Confirmation,
  type IPaymentRepo,
  type NewCheckout,
  type OpenedCheckout,
  type Payment,
  type PaymentStatus,
} from '../domain/payments.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { checkedDecimal, decimal128, isNegative, isZero, negated, storedDecimal } from './exactMoney.js';
import { MongoLedgerRepo } from './ledger.js';
import { mixedRef, toDomain } from './toDomain.js';
import { brokeUniqueIndex } from './duplicateKey.js';

const COLLECTION = 'payments';
const PENDING_CHECKOUT_INDEX = 'uniq_pending_request_network_by_buyer_session_offer';
/** The partial filter of that index: only these payments take part in checkout idempotency. */
const CHECKOUT = { provider: 'request.network', direction: 'in' } as const;
const CONFIRMABLE: readonly PaymentStatus[] = ['pending', 'processing'];
/** A pending payment can leave its slot between our failed insert and our read; then we insert again. */
const CHECKOUT_ATTEMPTS = 3;
const DEFAULT_LIMIT = 50;

type StoredPayment = Record<string, unknown> & {
  _id: Types.ObjectId;
  buyerId: Types.ObjectId;
  purchaseRequestId?: unknown;
  status?: string;
  blockchain?: { transactionHash?: string | null } | null;
  isRefunded?: boolean | null;
};

/**
 * Payments through Mongoose. No multi-document transaction exists on the legacy standalone MongoDB, so
 * each write is made safe on its own: the checkout insert by the partial unique index, state changes by
 * a status precondition in the update itself, and the confirm's two documents (payment, then AML fee
 * entry) by ordering plus idempotency: a confirm that died between them is finished by its retry, and
 * the fee's ledger key makes any number of retries one entry. Postgres will wrap the pair in one
 * transaction (plan §6 phase 4).
 */
export class MongoPaymentRepo implements IPaymentRepo {
  /** The bare Mongo ledger, not a seam-wrapped one: its entry is noted in this call's own write log. */
  readonly #ledger: MongoLedgerRepo;

  constructor(private readonly ctx: MongoContext) {
    this.#ledger = new MongoLedgerRepo(ctx);
  }

  async openPendingCheckout(input: NewCheckout): Promise<OpenedCheckout> {
    const value = checkedDecimal(input.amount, COLLECTION);
    if (isNegative(value) || isZero(value))
      throw new DomainRuleError(COLLECTION, null, `amount ${value} is not positive`);
    const { Payment } = this.ctx.models;
    const references = {
      purchaseRequestId: mixedRef(input.purchaseRequestId),
      sellerOfferId: mixedRef(input.sellerOfferId),
    };
    for (let attempt = 1; ; attempt++) {
      const document = new Payment({
        ...references,
        buyerId: input.buyerId,
        sellerId: mixedRef(input.sellerId),
        amount: { value: decimal128(value), currency: input.amount.currency },
        ...CHECKOUT,
        status: 'pending',
        providerPaymentId: input.providerPaymentId,
        blockchain: input.blockchain,
        metadata: input.metadata,
      });
      noteWrite(COLLECTION, document._id);
      try {
        await document.save();
        return { payment: toPayment(document.toObject()), created: true };
      } catch (error) {
        if (!brokeUniqueIndex(error, PENDING_CHECKOUT_INDEX) || attempt >= CHECKOUT_ATTEMPTS) throw error;
      }
      // The index keys on the raw values, a missing one as null: `null` matches absent and null alike.
      const pending = await Payment.findOne({
        buyerId: input.buyerId,
        purchaseRequestId: references.purchaseRequestId ?? null,
        sellerOfferId: references.sellerOfferId ?? null,
        ...CHECKOUT,
        status: 'pending',
      }).lean();
      if (pending) return { payment: toPayment(pending), created: false };
    }
  }

  async confirm(id: Id, confirmation: Confirmation): Promise<Payment> {
    const fee = confirmation.amlFee && {
      value: checkedDecimal(confirmation.amlFee, COLLECTION, id),
      currency: confirmation.amlFee.currency,
    };
    if (fee && isNegative(fee.value))
      throw new DomainRuleError(COLLECTION, id, `AML fee ${fee.value} is negative`);
    const { Payment } = this.ctx.models;
    const current = (await Payment.findById(id).lean()) as StoredPayment | null;
    if (!current) throw new NotFoundError(COLLECTION, id);
    let confirmed = current;
    if (current.status !== 'completed') {
      if (!CONFIRMABLE.includes(current.status as PaymentStatus))
        throw new DomainRuleError(COLLECTION, id, `a ${current.status} payment cannot be confirmed`);
      noteWrite(COLLECTION, current._id);
      // Conditional on the status read: of two webhooks confirming at once, one moves the payment.
      const updated = (await Payment.findOneAndUpdate(
        { _id: current._id, status: current.status as PaymentStatus },
        { $set: { status: 'completed', completedAt: new Date(), ...onChainSet(current, confirmation) } },
        { returnDocument: 'after' },
      ).lean()) as StoredPayment | null;
      confirmed = updated ?? ((await Payment.findById(id).lean()) as StoredPayment | null) ?? current;
    }
    // A completed payment is a retry of this confirm only if it names the same transaction.
    if (
      confirmed.status !== 'completed' ||
      confirmed.blockchain?.transactionHash !== confirmation.transactionHash
    )
      throw new DomainRuleError(
        COLLECTION,
        id,
        `is ${confirmed.status}${confirmed.blockchain?.transactionHash ? ` by transaction ${confirmed.blockchain.transactionHash}` : ''}`,
      );
    if (fee && !isZero(fee.value))
      await this.#ledger.record({
        userId: confirmed.buyerId.toHexString(),
        type: 'aml_fee',
        // The buyer pays it: a debit, negative as every debit in the ledger.
        amount: { value: negated(fee.value), currency: fee.currency },
        paymentId: id,
        purchaseRequestId: toDomainRef(confirmed.purchaseRequestId),
        idempotencyKey: amlFeeKey(id),
        description: 'AML fee',
      });
    return toPayment(confirmed);
  }

  async refund(id: Id): Promise<Payment> {
    const { Payment } = this.ctx.models;
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const refunded = await Payment.findOneAndUpdate(
      { _id: id, status: 'completed', isRefunded: { $ne: true } },
      { $set: { status: 'refunded', isRefunded: true } },
      { returnDocument: 'after' },
    ).lean();
    if (refunded) return toPayment(refunded);
    const current = await Payment.findById(id).lean();
    if (!current) throw new NotFoundError(COLLECTION, id);
    // A repeated refund (a retried request, a second webhook) finds the work done.
    if (current.status === 'refunded') return toPayment(current);
    throw new DomainRuleError(COLLECTION, id, `a ${current.status} payment cannot be refunded`);
  }

  async findById(id: Id): Promise<Payment | null> {
    const found = await this.ctx.models.Payment.findById(id).lean();
    return found ? toPayment(found) : null;
  }

  async findByProviderPaymentId(providerPaymentId: string): Promise<Payment | null> {
    const found = await this.ctx.models.Payment.findOne({ providerPaymentId }).sort({ _id: -1 }).lean();
    return found ? toPayment(found) : null;
  }

  async listByBuyer(buyerId: Id, page: Page = {}): Promise<Payment[]> {
    return this.#list({ buyerId }, page);
  }

  async listByStatus(status: PaymentStatus, page: Page = {}): Promise<Payment[]> {
    return this.#list({ status }, page);
  }

  async #list(filter: { buyerId?: Id; status?: PaymentStatus }, page: Page): Promise<Payment[]> {
    const found = await this.ctx.models.Payment.find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map(toPayment);
  }
}

/**
 * The on-chain fields of a confirmation, as dotted paths so the ones not given keep their value (the
 * network and address set at checkout). A legacy `blockchain: null` cannot take a dotted path: it is
 * replaced whole.
 */
function onChainSet(current: StoredPayment, confirmation: Confirmation): Record<string, unknown> {
  const { amlFee: _fee, ...onChain } = confirmation;
  void _fee;
  const given = Object.fromEntries(Object.entries(onChain).filter(([, value]) => value !== undefined));
  if (current.blockchain === null || typeof current.blockchain !== 'object') return { blockchain: given };
  return Object.fromEntries(Object.entries(given).map(([key, value]) => [`blockchain.${key}`, value]));
}

/** A stored Mixed reference as the domain speaks it (ObjectId → hex; strings and null as they are). */
function toDomainRef(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return value;
  if (value instanceof Types.ObjectId) return value.toHexString();
  return typeof value === 'string' ? value : undefined;
}

/** The stored payment as the domain speaks it: the amount exact, whatever an old row holds it as. */
export function toPayment(document: Record<string, unknown>): Payment {
  const { amount, ...rest } = document;
  const stored = (amount ?? {}) as { value?: unknown; currency?: unknown };
  const value = storedDecimal(stored.value, {
    collection: COLLECTION,
    id: String(document._id),
    field: 'amount.value',
  });
  // The schema's default: rows written before the currency existed are USDT.
  const currency = typeof stored.currency === 'string' ? stored.currency : 'USDT';
  return toDomain<Payment>({ ...rest, amount: { value, currency } });
}
