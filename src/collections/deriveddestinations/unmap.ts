import {
  atOrdinals,
  decimalValue,
  documentOf,
  idValue,
  mixedRefValue,
  refValue,
  type Unmapper,
} from '../unmapping.js';

/**
 * derived_destinations row + sweeps → document. Each sweepHistory element is rebuilt from its row, at
 * its ordinal, with its own legacy_extra (Mongoose's per-element `_id` included) merged back.
 */
export const unmapDerivedDestination: Unmapper = (stored, legacyIdOf) => {
  const { row, children } = stored;
  return documentOf(
    {
      _id: idValue(stored.legacyId),
      buyerId: refValue(row.buyerId, legacyIdOf),
      sellerId: mixedRefValue(row, 'seller', legacyIdOf),
      chain: row.chain,
      derivationIndex: row.derivationIndex,
      address: row.address,
      paymentId: mixedRefValue(row, 'payment', legacyIdOf),
      status: row.status,
      sweepHistory: atOrdinals(children.derived_destination_sweeps ?? [], (sweep) =>
        documentOf(
          {
            txHash: sweep.txHash,
            amount: decimalValue(sweep.amount),
            sweptAt: sweep.sweptAt,
            status: sweep.status,
          },
          sweep.legacyExtra,
        ),
      ),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
