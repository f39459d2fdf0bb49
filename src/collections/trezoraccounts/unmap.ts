import { documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

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
 * trezor_accounts row + addresses → document. Each addresses element is rebuilt from its row, in ordinal
 * order, with its own legacy_extra (Mongoose's per-element `_id` included) merged back.
 */
export const unmapTrezorAccount: Unmapper = (stored, legacyIdOf) => {
  const { row, children } = stored;
  const doc = documentOf(
    {
      _id: idValue(stored.legacyId),
      label: row.label,
      chain: row.chain,
      xpub: row.xpub,
      derivationPath: row.derivationPath,
      nextIndex: row.nextIndex,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
  // Set after documentOf, whose compaction would turn an all-NULL element into a null one.
  doc.addresses = atOrdinals(children.trezor_account_addresses ?? [], (address) =>
    documentOf(
      {
        index: address.index,
        address: address.address,
        destinationId: refValue(address.destinationId, legacyIdOf),
        createdAt: address.createdAt,
      },
      address.legacyExtra,
    ),
  );
  return doc;
};
