import type { Document } from 'mongodb';
import type { CollectionGenerator } from '../generator.js';
import { OFFERS, paymentLinks, PAYMENTS, REQUESTS } from '../market.js';
import { decimalText, moneyValue } from '../money.js';
import type { MoneyShape } from '../money.js';
import type { SeedPlan } from '../plan.js';
import { dangling, MIGRATED, rejected, unrecognised } from '../quirks.js';
import { timestamps, withUnknownFields } from './common.js';
import { priceOf } from './sellerOffers.js';

const DAY_MS = 86_400_000;
const AMOUNT_SHAPES: Readonly<Record<string, MoneyShape>> = {
  double_amount: 'double',
  string_amount: 'string',
  unparseable_amount: 'unparseable',
  too_many_decimals: 'too_many_decimals',
  too_many_digits: 'too_many_digits',
};
const NETWORKS = ['ethereum', 'tron', 'bsc', 'polygon'];
const FAILED = ['failed', 'cancelled', 'expired'];

/** Provider and direction: their own streams, so the ledger can ask without generating the payment. */
export function paymentKind(
  plan: Pick<SeedPlan, 'rng'>,
  index: number,
): { provider: string; direction: 'in' | 'out' | 'refund' } {
  const rng = plan.rng(PAYMENTS, index, 'kind');
  const p = rng.float();
  const d = rng.float();
  return {
    provider: p < 0.8 ? 'request.network' : p < 0.9 ? 'amn.scanner' : p < 0.97 ? 'shkeeper' : 'other',
    direction: d < 0.84 ? 'in' : d < 0.95 ? 'out' : 'refund',
  };
}

/** The planned amount: the accepted offer's price for pay-ins, an own amount otherwise. */
export function paymentAmount(plan: SeedPlan, index: number): string {
  const links = paymentLinks(plan, index);
  return !links.template && paymentKind(plan, index).direction === 'in'
    ? priceOf(plan, links.offer)
    : decimalText(plan.rng(PAYMENTS, index, 'amount'), 5_000);
}

export const payments: CollectionGenerator = {
  name: PAYMENTS,
  quirks: {
    orphan_buyer: rejected('orphan_reference'), // buyerId is typed and required
    dangling_purchase_request: dangling, // Mixed: an ObjectId whose request is gone
    string_hex_purchase_request: MIGRATED, // Mixed: the 24-hex string of a real request → entity
    unrecognised_purchase_request: unrecognised, // Mixed: some other string → external + anomaly
    null_purchase_request: MIGRATED, // Mixed: null → none
    numeric_purchase_request: rejected('invalid_reference'), // Mixed: a number
    dangling_seller_offer: dangling,
    empty_seller_offer: MIGRATED, // Mixed: '' → none
    object_seller_offer: rejected('invalid_reference'), // Mixed: an object
    unrecognised_seller: unrecognised,
    double_amount: MIGRATED, // old row: a double, at its shortest decimal
    string_amount: MIGRATED, // old row: a numeric string, exact
    unparseable_amount: rejected('invalid_money'),
    too_many_decimals: rejected('invalid_money'), // 19 fraction digits
    too_many_digits: rejected('invalid_money'), // 21 integer digits
    missing_amount: rejected('missing_field'), // amount.value absent: required money
    missing_currency: MIGRATED, // amount.currency absent: the model default USDT
    invalid_enum: rejected('invalid_enum'), // status 'settled'
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
  },
  indexes: [
    { key: { status: 1, createdAt: 1 } },
    { key: { buyerId: 1, status: 1 } },
    { key: { sellerId: 1, status: 1 } },
    { key: { providerPaymentId: 1 } },
    {
      name: 'uniq_pending_request_network_by_buyer_session_offer',
      key: { buyerId: 1, purchaseRequestId: 1, sellerOfferId: 1, provider: 1, direction: 1 },
      unique: true,
      partialFilterExpression: { provider: 'request.network', direction: 'in', status: 'pending' },
    },
  ],
  window: (epoch) => ({ startMs: epoch.startMs + 64 * DAY_MS, endMs: epoch.endMs + DAY_MS }),
  cap: (population) => (population.users.length > 0 ? Number.MAX_SAFE_INTEGER : 0),
  // A hex string of a request needs a request: template checkouts have none.
  eligible: (plan, index, kind) =>
    kind !== 'string_hex_purchase_request' || !paymentLinks(plan, index).template,

  generate(plan, index, quirk) {
    const rng = plan.rng(PAYMENTS, index);
    const createdMs = plan.timeOf(PAYMENTS, index);
    const links = paymentLinks(plan, index);
    const { provider, direction } = paymentKind(plan, index);

    const requestId = links.template ? undefined : plan.idOf(REQUESTS, links.request);
    const purchaseRequestId =
      quirk === 'dangling_purchase_request'
        ? plan.orphanIdFor(PAYMENTS, index, createdMs)
        : quirk === 'string_hex_purchase_request'
          ? requestId?.toHexString()
          : quirk === 'unrecognised_purchase_request'
            ? `PR-${new Date(createdMs).getUTCFullYear()}-${String(index).padStart(6, '0')}`
            : quirk === 'null_purchase_request'
              ? null
              : quirk === 'numeric_purchase_request'
                ? rng.between(1, 99_999)
                : links.template
                  ? links.requestRef
                  : requestId;
    const sellerOfferId =
      quirk === 'dangling_seller_offer'
        ? plan.orphanIdFor(PAYMENTS, index, createdMs)
        : quirk === 'empty_seller_offer'
          ? ''
          : quirk === 'object_seller_offer'
            ? { id: links.template ? links.offerRef : plan.idOf(OFFERS, links.offer).toHexString() }
            : links.template
              ? links.offerRef
              : plan.idOf(OFFERS, links.offer);
    const sellerOid = plan.idOf('users', links.seller);
    const sellerId =
      quirk === 'unrecognised_seller'
        ? `seller:${rng.chars('abcdefghijklmnopqrstuvwxyz', 8)}`
        : links.template
          ? sellerOid.toHexString() // template checkout wrote the seller's id as a string: it resolves
          : sellerOid;

    // The partial unique index allows one pending request.network pay-in per (buyer, session, offer): only
    // the last payment of a request (earlier attempts expired) or an untouched template session may be one.
    const r = rng.float();
    let status =
      r < 0.62
        ? 'completed'
        : r < 0.7
          ? 'pending'
          : r < 0.75
            ? 'processing'
            : r < 0.8
              ? 'refunded'
              : rng.pick(FAILED);
    const guarded = provider === 'request.network' && direction === 'in';
    if (status === 'pending' && guarded && !(links.template ? quirk === undefined : links.last))
      status = 'expired';
    if (quirk === 'invalid_enum') status = 'settled';
    const completed = status === 'completed' || status === 'refunded';
    const completedMs = createdMs + rng.int(3 * DAY_MS);

    const amount: Document = {
      ...(quirk === 'missing_amount'
        ? {}
        : {
            value: moneyValue(
              rng,
              paymentAmount(plan, index),
              quirk === undefined ? undefined : AMOUNT_SHAPES[quirk],
            ),
          }),
      ...(quirk === 'missing_currency' ? {} : { currency: rng.chance(0.85) ? 'USDT' : 'USDC' }),
    };
    const doc: Document = {
      _id: plan.idOf(PAYMENTS, index),
      purchaseRequestId,
      sellerOfferId,
      buyerId:
        quirk === 'orphan_buyer'
          ? plan.orphanIdFor(PAYMENTS, index, createdMs)
          : plan.idOf('users', links.buyer),
      sellerId,
      amount,
      provider,
      direction,
      status,
      ...(direction === 'in' && completed
        ? { escrowState: status === 'refunded' ? 'refunded' : rng.pick(['funded', 'releasable', 'released']) }
        : {}),
      providerPaymentId: `${provider === 'request.network' ? 'rn' : provider.slice(0, 3)}_${rng.hex(12)}`,
      ...(completed
        ? {
            blockchain: {
              network: rng.pick(NETWORKS),
              transactionHash: `0x${rng.hex(32)}`,
              fromAddress: `0x${rng.hex(20)}`,
              toAddress: `0x${rng.hex(20)}`,
              confirmations: rng.between(12, 400),
              blockNumber: rng.between(15_000_000, 21_000_000),
            },
          }
        : {}),
      metadata: links.template
        ? { checkout: 'template', attempt: rng.between(1, 3) }
        : { attempt: rng.between(1, 3), ...(rng.chance(0.3) ? { quoteId: rng.hex(8) } : {}) },
      isRefunded: status === 'refunded',
      ...(completed ? { completedAt: new Date(completedMs) } : {}),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
