import type { Decimal128 } from 'bson';
import { isPlainObject } from '../mapping/index.js';
import type { LegacyDoc } from '../spec.js';
import { decimalValue, documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';
import { OFFERS_JUNCTION } from './offers.js';

/**
 * numeric(38,18) text as the Decimal128 of its shortest exact text (`12.500000000000000000` → 12.5).
 * numeric holds 38 significant digits, Decimal128 only 34: a value beyond them (an old numeric-string
 * row) comes back as that numeric string, exact, the shape the old row held.
 */
function money(text: unknown): Decimal128 | string | undefined {
  if (typeof text !== 'string') return undefined;
  const exact = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return exact.replace(/^-?[0.]*/, '').replace('.', '').length > 34 ? exact : decimalValue(exact);
}

/**
 * documentOf, merging legacy_extra one level deeper: the mapper keeps an undeclared key of a declared
 * sub-document (`deliveryInfo.note`) nested in legacy_extra, and documentOf's shallow merge would let
 * the declared sub-document replace it.
 */
function withExtra(fields: Record<string, unknown>, legacyExtra: unknown): LegacyDoc {
  const doc = documentOf(fields, legacyExtra);
  for (const [key, value] of Object.entries(documentOf({}, legacyExtra)))
    if (isPlainObject(value) && isPlainObject(doc[key])) doc[key] = { ...value, ...doc[key] };
  return doc;
}

/**
 * Child rows back into the source array, each at its `ordinal` (its index there): the elements the
 * mapper skipped before or between them (nulls, repeats, users that are gone) come back as null, so
 * mapping the array again gives the same ordinals. Skipped elements after the last row do not come back.
 */
function atOrdinals<T>(
  rows: readonly Record<string, unknown>[],
  element: (row: Record<string, unknown>) => T,
): (T | null)[] {
  const out: (T | null)[] = [];
  for (const row of rows) {
    while (out.length < (row.ordinal as number)) out.push(null);
    out.push(element(row));
  }
  return out;
}

/**
 * purchase_requests row + children + junction → document. `offers` comes from the junction (ObjectIds,
 * in legacy-id order: the junction keeps neither the array's order nor its repeats), `acceptedOfferId`
 * from the deferred FK column, `preferredSellerIds` from pr_preferred_sellers in ordinal order. A
 * pr_delivery_info / pr_service_info row means the sub-document was there, even with every field NULL,
 * so it comes back as `{}` then (documentOf would drop it, and mapping the result would lose the row).
 */
export const unmapPurchaseRequest: Unmapper = (stored, legacyIdOf) => {
  const { row, children, junctions } = stored;
  const delivery = children.pr_delivery_info?.[0];
  const service = children.pr_service_info?.[0];
  const doc = withExtra(
    {
      _id: idValue(stored.legacyId),
      buyerId: refValue(row.buyerId, legacyIdOf),
      title: row.title,
      description: row.description,
      categoryId: refValue(row.categoryId, legacyIdOf),
      quantity: row.quantity,
      budget: { amount: money(row.budgetAmount), currency: row.budgetCurrency },
      status: row.status,
      acceptedOfferId: refValue(row.acceptedOfferId, legacyIdOf),
      deliveryInfo: delivery && {
        method: delivery.method,
        addressId: refValue(delivery.addressId, legacyIdOf),
        carrier: delivery.carrier,
        trackingNumber: delivery.trackingNumber,
        shippedAt: delivery.shippedAt,
        deliveredAt: delivery.deliveredAt,
        notes: delivery.notes,
      },
      serviceInfo: service && {
        scheduledAt: service.scheduledAt,
        durationMinutes: service.durationMinutes,
        location: service.location,
        remote: service.remote,
      },
      expiresAt: row.expiresAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
  if (delivery) doc.deliveryInfo ??= {};
  if (service) doc.serviceInfo ??= {};
  // Arrays are set after documentOf: the model declares them, so Mongoose always writes them, [] included.
  doc.offers = (junctions[OFFERS_JUNCTION] ?? []).map((legacyId) => idValue(legacyId));
  doc.preferredSellerIds = atOrdinals(children.pr_preferred_sellers ?? [], (seller) =>
    refValue(seller.userId, legacyIdOf),
  );
  return doc;
};
