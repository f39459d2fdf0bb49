import { EJSON, type Decimal128 } from 'bson';
import { decimalValue, documentOf, idValue, refValue, type LegacyIdOf, type Unmapper } from '../unmapping.js';
import { isPlainObject } from '../mapping/index.js';
import type { LegacyDoc } from '../spec.js';

type Row = Record<string, unknown>;

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
 * A Mixed reference from its three columns (docs/data-policy.md): `entity` → the parent's id, `dangling`
 * → the ObjectId it named (kept as 24-hex), `template`/`external` → the string, `none` → absent.
 */
function mixedRef(row: Row, key: string, legacyIdOf: LegacyIdOf): unknown {
  const ref = row[`${key}ExternalRef`];
  switch (row[`${key}RefKind`]) {
    case 'entity':
      return refValue(row[`${key}Id`], legacyIdOf);
    case 'dangling':
      return typeof ref === 'string' ? idValue(ref) : undefined;
    case 'template':
    case 'external':
      return ref;
    default:
      return undefined;
  }
}

/** A jsonb Mixed value (relaxed EJSON, mapping/extra.ts mixedJson) as the BSON value it was. */
const mixed = (json: unknown): unknown =>
  json === null || json === undefined ? undefined : EJSON.deserialize(json as never, { relaxed: true });

/**
 * documentOf, merging legacy_extra one level deeper: the mapper keeps an undeclared key of a declared
 * sub-document (`amount.note`) nested in legacy_extra, and documentOf's shallow merge would let the
 * declared sub-document replace it.
 */
function withExtra(fields: Record<string, unknown>, legacyExtra: unknown): LegacyDoc {
  const doc = documentOf(fields, legacyExtra);
  for (const [key, value] of Object.entries(documentOf({}, legacyExtra)))
    if (isPlainObject(value) && isPlainObject(doc[key])) doc[key] = { ...value, ...doc[key] };
  return doc;
}

/**
 * payments row → document. `amount.value` comes back as Decimal128 (also for old rows that held a double
 * or a numeric string: the mapper kept only the exact value). `blockchain` and `metadata` are jsonb kept
 * whole, set after documentOf so that nulls and empty objects inside them survive.
 */
export const unmapPayment: Unmapper = (stored, legacyIdOf) => {
  const { row } = stored;
  const doc = withExtra(
    {
      _id: idValue(stored.legacyId),
      purchaseRequestId: mixedRef(row, 'purchaseRequest', legacyIdOf),
      sellerOfferId: mixedRef(row, 'sellerOffer', legacyIdOf),
      buyerId: refValue(row.buyerId, legacyIdOf),
      sellerId: mixedRef(row, 'seller', legacyIdOf),
      amount: { value: money(row.amount), currency: row.currency },
      provider: row.provider,
      direction: row.direction,
      status: row.status,
      escrowState: row.escrowState,
      providerPaymentId: row.providerPaymentId,
      isRefunded: row.isRefunded,
      completedAt: row.completedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
  const blockchain = mixed(row.blockchain);
  if (blockchain !== undefined) doc.blockchain = blockchain;
  const metadata = mixed(row.metadata);
  if (metadata !== undefined) doc.metadata = metadata;
  return doc;
};
