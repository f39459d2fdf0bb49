import type { Decimal128 } from 'bson';
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
 * Child rows back into the source array, each at its `ordinal` (its index there): the elements the
 * mapper skipped before or between them (nulls) come back as null, so mapping the array again
 * gives the same ordinals. Skipped elements after the last row left no ordinal and do not come back.
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
 * derived_destinations row + sweeps → document. Each sweepHistory element is rebuilt from its row, in
 * ordinal order, with its own legacy_extra (Mongoose's per-element `_id` included) merged back.
 */
export const unmapDerivedDestination: Unmapper = (stored, legacyIdOf) => {
  const { row, children } = stored;
  const doc = documentOf(
    {
      _id: idValue(stored.legacyId),
      buyerId: refValue(row.buyerId, legacyIdOf),
      sellerId: mixedRef(row, 'seller', legacyIdOf),
      chain: row.chain,
      derivationIndex: row.derivationIndex,
      address: row.address,
      paymentId: mixedRef(row, 'payment', legacyIdOf),
      status: row.status,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
  // Set after documentOf, whose compaction would turn an all-NULL element into a null one.
  doc.sweepHistory = atOrdinals(children.derived_destination_sweeps ?? [], (sweep) =>
    documentOf(
      { txHash: sweep.txHash, amount: money(sweep.amount), sweptAt: sweep.sweptAt, status: sweep.status },
      sweep.legacyExtra,
    ),
  );
  return doc;
};
