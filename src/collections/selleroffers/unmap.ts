import type { Decimal128 } from 'bson';
import { isPlainObject } from '../mapping/index.js';
import type { LegacyDoc } from '../spec.js';
import { decimalValue, documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

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
 * sub-document (`price.note`) nested in legacy_extra, and documentOf's shallow merge would let the
 * declared sub-document replace it.
 */
function withExtra(fields: Record<string, unknown>, legacyExtra: unknown): LegacyDoc {
  const doc = documentOf(fields, legacyExtra);
  for (const [key, value] of Object.entries(documentOf({}, legacyExtra)))
    if (isPlainObject(value) && isPlainObject(doc[key])) doc[key] = { ...value, ...doc[key] };
  return doc;
}

/** seller_offers row → document: `price` rebuilt as { amount: Decimal128, currency }. */
export const unmapSellerOffer: Unmapper = (stored, legacyIdOf) => {
  const { row } = stored;
  return withExtra(
    {
      _id: idValue(stored.legacyId),
      purchaseRequestId: refValue(row.purchaseRequestId, legacyIdOf),
      sellerId: refValue(row.sellerId, legacyIdOf),
      price: { amount: money(row.priceAmount), currency: row.priceCurrency },
      message: row.message,
      deliveryDays: row.deliveryDays,
      status: row.status,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
