import { derivedDestinations, derivedDestinationSweeps } from '../../db/schema/derivedDestinations.js';
import type { CollectionSpec } from '../spec.js';
import { initDerivationCounters, raiseDerivationCounters } from './finalize.js';
import { mapDerivedDestination } from './map.js';
import { unmapDerivedDestination } from './unmap.js';

/**
 * deriveddestinations: per-buyer deposit addresses (plan Phase 4). Once copied, `finalize` seeds the
 * derivation counters from the migrated maximum so pg mode allocates after it (plan §4.5).
 */
export const derivedDestinationsSpec: CollectionSpec = {
  collection: 'deriveddestinations',
  phase: 4,
  table: derivedDestinations,
  children: {
    derived_destination_sweeps: { table: derivedDestinationSweeps, ownerKey: 'destinationId' },
  },
  references: [
    { path: 'buyerId', parent: 'users' },
    { path: 'sellerId', parent: 'users' },
    { path: 'paymentId', parent: 'payments' },
  ],
  moneyFields: ['sweepHistory.amount'],
  map: mapDerivedDestination,
  unmap: unmapDerivedDestination,
  finalize: initDerivationCounters,
  afterSync: raiseDerivationCounters,
};
