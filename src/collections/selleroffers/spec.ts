import { sellerOffers } from '../../db/schema/sellerOffers.js';
import type { CollectionSpec } from '../spec.js';
import { mapSellerOffer } from './map.js';
import { unmapSellerOffer } from './unmap.js';

/**
 * selleroffers (plan Phase 4): the forward edge of the purchaserequests ⇄ selleroffers cycle, NOT
 * deferred, so offers wait for their requests and the request's links to offers run after both.
 */
export const sellerOffersSpec: CollectionSpec = {
  collection: 'selleroffers',
  phase: 4,
  table: sellerOffers,
  references: [
    { path: 'purchaseRequestId', parent: 'purchaserequests' },
    { path: 'sellerId', parent: 'users' },
  ],
  moneyFields: ['price.amount'],
  map: mapSellerOffer,
  unmap: unmapSellerOffer,
};
