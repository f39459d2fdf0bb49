import { atOrdinals, documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/**
 * trezor_accounts row + addresses → document. Each addresses element is rebuilt from its row, at its
 * ordinal, with its own legacy_extra (Mongoose's per-element `_id` included) merged back.
 */
export const unmapTrezorAccount: Unmapper = (stored, legacyIdOf) => {
  const { row, children } = stored;
  return documentOf(
    {
      _id: idValue(stored.legacyId),
      label: row.label,
      chain: row.chain,
      xpub: row.xpub,
      derivationPath: row.derivationPath,
      nextIndex: row.nextIndex,
      addresses: atOrdinals(children.trezor_account_addresses ?? [], (address) =>
        documentOf(
          {
            index: address.index,
            address: address.address,
            destinationId: refValue(address.destinationId, legacyIdOf),
            createdAt: address.createdAt,
          },
          address.legacyExtra,
        ),
      ),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
