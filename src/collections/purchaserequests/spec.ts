import {
  prDeliveryInfo,
  prPreferredSellers,
  prServiceInfo,
  purchaseRequestOffers,
  purchaseRequests,
} from '../../db/schema/purchaseRequests.js';
import type { CollectionSpec } from '../spec.js';
import { mapPurchaseRequest } from './map.js';
import { unmapPurchaseRequest } from './unmap.js';
import { OFFERS_JUNCTION } from './offers.js';

/**
 * purchaserequests: the head of the money core (plan Phase 4). purchaserequests ⇄ selleroffers is a
 * cycle; the request's side (`offers[]`, `acceptedOfferId`) is the deferred back edge, so requests are
 * copied first and the offers' required `purchaseRequestId` resolves normally.
 */
export const purchaseRequestsSpec: CollectionSpec = {
  collection: 'purchaserequests',
  phase: 4,
  table: purchaseRequests,
  children: {
    pr_preferred_sellers: { table: prPreferredSellers, ownerKey: 'purchaseRequestId' },
    pr_delivery_info: { table: prDeliveryInfo, ownerKey: 'purchaseRequestId' },
    pr_service_info: { table: prServiceInfo, ownerKey: 'purchaseRequestId' },
  },
  junctions: {
    [OFFERS_JUNCTION]: {
      table: purchaseRequestOffers,
      ownerKey: 'purchaseRequestId',
      targetKey: 'sellerOfferId',
    },
  },
  references: [
    { path: 'buyerId', parent: 'users' },
    { path: 'categoryId', parent: 'categories' },
    { path: 'preferredSellerIds', parent: 'users', many: true },
    { path: 'deliveryInfo.addressId', parent: 'addresses' },
    { path: 'offers', parent: 'selleroffers', many: true, deferred: true },
    { path: 'acceptedOfferId', parent: 'selleroffers', deferred: true, column: 'accepted_offer_id' },
  ],
  moneyFields: ['budget.amount'],
  map: mapPurchaseRequest,
  unmap: unmapPurchaseRequest,
};
