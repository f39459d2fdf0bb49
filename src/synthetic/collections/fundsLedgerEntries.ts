import type { CollectionGenerator } from '../generator.js';
import { migratingNear, paymentLinks, PAYMENTS, pickUser, REQUESTS } from '../market.js';
import { decimalText, moneyValue } from '../money.js';
import type { MoneyShape } from '../money.js';
import { dangling, MIGRATED, rejected, unrecognised } from '../quirks.js';
import * as text from '../text.js';
import { withUnknownFields } from './common.js';
import { paymentKind } from './payments.js';

const NAME = 'fundsledgerentries';
const DAY_MS = 86_400_000;
const AMOUNT_SHAPES: Readonly<Record<string, MoneyShape>> = {
  double_amount: 'double',
  string_amount: 'string',
  unparseable_amount: 'unparseable',
  too_many_decimals: 'too_many_decimals',
};
/** The entries a pay-in produces, in order; pay-outs and refunds produce one of their own type. */
const PAY_IN_ENTRIES = ['escrow_hold', 'platform_fee', 'aml_fee', 'escrow_release'] as const;
/** Money leaving the user's balance is negative. */
const DEBITS = new Set(['platform_fee', 'aml_fee', 'escrow_release', 'payout', 'refund']);

export const fundsLedgerEntries: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_user: rejected('orphan_reference'), // userId is typed and required
    dangling_payment: dangling, // Mixed paymentId: an ObjectId whose payment is gone
    string_hex_payment: MIGRATED, // Mixed paymentId: the 24-hex string of a real payment
    unrecognised_payment: unrecognised, // Mixed paymentId: a provider's payment id
    dangling_hex_purchase_request: dangling, // Mixed purchaseRequestId: 24-hex string of a gone request
    double_amount: MIGRATED,
    string_amount: MIGRATED,
    unparseable_amount: rejected('invalid_money'),
    too_many_decimals: rejected('invalid_money'),
    missing_amount: rejected('missing_field'), // amount is required money
    invalid_enum: rejected('invalid_enum'), // type 'chargeback'
    missing_timestamps: MIGRATED, // createdAt absent (append-only: never had updatedAt)
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [
    // Sparse: entries from before idempotent writes have none.
    { key: { idempotencyKey: 1 }, unique: true, sparse: true },
  ],
  window: (epoch) => ({ startMs: epoch.startMs + 65 * DAY_MS, endMs: epoch.endMs + 2 * DAY_MS }),
  cap: (population) => (population.users.length > 0 ? Number.MAX_SAFE_INTEGER : 0),
  // The payment-shaped quirks need a payment that migrates.
  eligible: (plan, index, kind) =>
    !['string_hex_payment', 'dangling_hex_purchase_request'].includes(kind) ||
    migratingNear(plan, PAYMENTS, 0) !== undefined,

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const entries = plan.count(NAME);
    const paymentCount = plan.count(PAYMENTS);
    // Entries follow their payments: entry j belongs near payment j·payments/entries.
    const near = Math.floor((index * paymentCount) / Math.max(1, entries));
    const payment = paymentCount > 0 ? migratingNear(plan, PAYMENTS, near) : undefined;
    const needsPayment = quirk === 'string_hex_payment' || quirk === 'dangling_hex_purchase_request';
    const adjustment = payment === undefined || (!needsPayment && rng.chance(0.05));

    let type: string;
    let userId;
    let purchaseRequestId: unknown = null;
    let paymentId: unknown = null;
    if (adjustment || payment === undefined) {
      type = 'adjustment';
      userId = plan.idOf('users', pickUser(plan, rng));
    } else {
      const links = paymentLinks(plan, payment);
      const { direction } = paymentKind(plan, payment);
      const step = index - Math.ceil((near * entries) / Math.max(1, paymentCount));
      type =
        direction === 'in'
          ? (PAY_IN_ENTRIES[Math.max(0, step) % PAY_IN_ENTRIES.length] ?? 'escrow_hold')
          : direction === 'out'
            ? 'payout'
            : 'refund';
      const toSeller = type === 'escrow_release' || type === 'payout';
      userId = plan.idOf('users', toSeller ? links.seller : links.buyer);
      purchaseRequestId = links.template ? links.requestRef : plan.idOf(REQUESTS, links.request);
      paymentId = plan.idOf(PAYMENTS, payment);
    }
    if (quirk === 'dangling_payment') paymentId = plan.orphanIdFor(NAME, index, createdMs);
    if (quirk === 'string_hex_payment' && payment !== undefined)
      paymentId = plan.idOf(PAYMENTS, payment).toHexString();
    if (quirk === 'unrecognised_payment') paymentId = `rn_${rng.hex(16)}`;
    if (quirk === 'dangling_hex_purchase_request')
      purchaseRequestId = plan.orphanIdFor(NAME, index, createdMs).toHexString();

    const signed = `${DEBITS.has(type) || (type === 'adjustment' && rng.chance(0.5)) ? '-' : ''}${decimalText(rng, 2_000)}`;
    const description =
      quirk === 'emoji_text'
        ? rng.pick(text.EMOJI_TEXTS)
        : quirk === 'rtl_text'
          ? rng.pick(text.RTL_TEXTS)
          : quirk === 'long_text'
            ? text.longText(rng)
            : `${type.replace('_', ' ')} ${paymentId === null ? '(manual)' : ''}`.trim();
    const doc = {
      _id: plan.idOf(NAME, index),
      purchaseRequestId,
      paymentId,
      userId: quirk === 'orphan_user' ? plan.orphanIdFor(NAME, index, createdMs) : userId,
      type: quirk === 'invalid_enum' ? 'chargeback' : type,
      ...(quirk === 'missing_amount'
        ? {}
        : { amount: moneyValue(rng, signed, quirk === undefined ? undefined : AMOUNT_SHAPES[quirk]) }),
      currency: rng.chance(0.9) ? 'USDT' : 'USDC',
      // The entry's own index keeps keys unique; older entries predate idempotent writes.
      ...(rng.chance(0.85) ? { idempotencyKey: `${type}:${index.toString(36)}:${rng.hex(4)}` } : {}),
      description,
      metadata: rng.chance(0.5) ? { source: rng.pick(['webhook', 'worker', 'admin']) } : null,
      ...(quirk === 'missing_timestamps' ? {} : { createdAt: new Date(createdMs) }),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
