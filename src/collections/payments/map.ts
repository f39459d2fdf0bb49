import { escrowState, paymentDirection, paymentProvider, paymentStatus } from '../../db/schema/payments.js';
import type { payments } from '../../db/schema/payments.js';
import {
  enumWithDefault,
  isFieldReject,
  MapBuilder,
  mixedJson,
  optionalBool,
  optionalDate,
  optionalString,
  readSubdoc,
  requiredMoney,
  type MainRow,
  type Read,
  type Shape,
} from '../mapping/index.js';
import { mixedRef } from '../mapping/mixed.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';
import { optionalEnum, stringWithDefault } from '../mapping/index.js';

const PAYMENT_SHAPE: Shape = {
  purchaseRequestId: true,
  sellerOfferId: true,
  buyerId: true,
  sellerId: true,
  amount: { value: true, currency: true },
  provider: true,
  direction: true,
  status: true,
  escrowState: true,
  providerPaymentId: true,
  // Read whole into jsonb, keys no model declares included: it is the provider's record, kept as is.
  blockchain: true,
  metadata: true,
  isRefunded: true,
  completedAt: true,
};

/** A sub-document kept whole as jsonb: absent/null → NULL, a non-object → invalid_type. */
function subdocJson(value: unknown, field: string): Read<unknown> {
  const checked = readSubdoc(value, field);
  return isFieldReject(checked) ? checked : mixedJson(value, field);
}

/**
 * A payments document → payments row. The three Mixed fields never reject a payment they cannot resolve
 * (mapping/mixed.ts); `amount.value` is required money (Decimal128, or a double / numeric string on old
 * rows), exact or invalid_money, never rounded.
 */
export function mapPayment(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const amount = b.read(readSubdoc(doc.amount, 'amount'), {});
  const row: MainRow<typeof payments> = {
    ...b.commonColumns(doc, PAYMENT_SHAPE),
    ...mixedRef(b, ctx, 'purchaseRequest', doc.purchaseRequestId, {
      field: 'purchaseRequestId',
      parent: 'purchaserequests',
    }),
    ...mixedRef(b, ctx, 'sellerOffer', doc.sellerOfferId, { field: 'sellerOfferId', parent: 'selleroffers' }),
    buyerId: b.requiredRef(doc.buyerId, { field: 'buyerId', parent: 'users' }),
    ...mixedRef(b, ctx, 'seller', doc.sellerId, { field: 'sellerId', parent: 'users' }),
    amount: b.read(requiredMoney(amount.value, 'amount.value')),
    currency: b.read(stringWithDefault(amount.currency, 'amount.currency', 'USDT')),
    provider: b.read(
      enumWithDefault(doc.provider, 'provider', paymentProvider.enumValues, 'request.network'),
    ),
    direction: b.read(enumWithDefault(doc.direction, 'direction', paymentDirection.enumValues, 'in')),
    status: b.read(enumWithDefault(doc.status, 'status', paymentStatus.enumValues, 'pending')),
    escrowState: b.read(optionalEnum(doc.escrowState, 'escrowState', escrowState.enumValues)),
    providerPaymentId: b.read(optionalString(doc.providerPaymentId, 'providerPaymentId')),
    blockchain: b.read(subdocJson(doc.blockchain, 'blockchain')),
    metadata: b.read(mixedJson(doc.metadata, 'metadata')),
    isRefunded: b.read(optionalBool(doc.isRefunded, 'isRefunded')),
    completedAt: b.read(optionalDate(doc.completedAt, 'completedAt')),
  };
  return b.finish(row);
}
