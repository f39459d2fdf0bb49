import {
  derivedDestinationStatus,
  destinationChain,
  type derivedDestinations,
} from '../../db/schema/derivedDestinations.js';
import { MapBuilder, optionalString, requiredInt, type MainRow, type Shape } from '../mapping/index.js';
import { mixedRef } from '../mapping/mixed.js';
import { optionalEnum, requiredEnum } from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';
import { mapSweeps } from './children.js';

const DERIVED_DESTINATION_SHAPE: Shape = {
  buyerId: true,
  sellerId: true,
  chain: true,
  derivationIndex: true,
  address: true,
  paymentId: true,
  status: true,
  sweepHistory: true, // child table, elements have SWEEP_SHAPE
};

/**
 * A deriveddestinations document → derived_destinations row + sweep history rows. `chain` and
 * `derivationIndex` are required: an index is only meaningful within its (buyer, chain) sequence, which
 * the finalize step turns into derivation_counters. A second destination for one (buyer, seller, chain)
 * maps fine and is refused by uniq_destination_by_buyer_seller_chain (constraint_violation).
 */
export function mapDerivedDestination(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const row: MainRow<typeof derivedDestinations> = {
    ...b.commonColumns(doc, DERIVED_DESTINATION_SHAPE),
    buyerId: b.requiredRef(doc.buyerId, { field: 'buyerId', parent: 'users' }),
    ...mixedRef(b, ctx, 'seller', doc.sellerId, { field: 'sellerId', parent: 'users' }),
    chain: b.read(requiredEnum(doc.chain, 'chain', destinationChain.enumValues)),
    derivationIndex: b.read(requiredInt(doc.derivationIndex, 'derivationIndex')),
    address: b.read(optionalString(doc.address, 'address')),
    ...mixedRef(b, ctx, 'payment', doc.paymentId, { field: 'paymentId', parent: 'payments' }),
    status: b.read(optionalEnum(doc.status, 'status', derivedDestinationStatus.enumValues)),
  };
  return b.finish(row, { derived_destination_sweeps: mapSweeps(b, doc.sweepHistory) });
}
