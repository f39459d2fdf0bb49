import { EJSON, type Decimal128 } from 'bson';
import { decimalValue, documentOf, idValue, refValue, type LegacyIdOf, type Unmapper } from '../unmapping.js';

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

/**
 * funds_ledger_entries row → document. `amount` (signed) comes back as Decimal128 whatever the source
 * held; `metadata` (Mixed, relaxed EJSON in jsonb) is set after documentOf so that nulls and empty
 * objects inside it survive. Append-only: `updatedAt` is absent, as the row's NULL says.
 */
export const unmapFundsLedgerEntry: Unmapper = (stored, legacyIdOf) => {
  const { row } = stored;
  const doc = documentOf(
    {
      _id: idValue(stored.legacyId),
      purchaseRequestId: mixedRef(row, 'purchaseRequest', legacyIdOf),
      paymentId: mixedRef(row, 'payment', legacyIdOf),
      userId: refValue(row.userId, legacyIdOf),
      type: row.type,
      amount: money(row.amount),
      currency: row.currency,
      idempotencyKey: row.idempotencyKey,
      description: row.description,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
  if (row.metadata !== null && row.metadata !== undefined)
    doc.metadata = EJSON.deserialize(row.metadata as never, { relaxed: true });
  return doc;
};
