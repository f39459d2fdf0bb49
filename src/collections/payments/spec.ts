import { payments } from '../../db/schema/payments.js';
import type { CollectionSpec } from '../spec.js';
import { mapPayment } from './map.js';
import { unmapPayment } from './unmap.js';

/**
 * payments: the money core (plan Phase 4). The Mixed fields are declared as references too, so the
 * engine prefetches their ids and copies payments after purchaserequests and selleroffers.
 */
export const paymentsSpec: CollectionSpec = {
  collection: 'payments',
  phase: 4,
  table: payments,
  references: [
    { path: 'purchaseRequestId', parent: 'purchaserequests' },
    { path: 'sellerOfferId', parent: 'selleroffers' },
    { path: 'buyerId', parent: 'users' },
    { path: 'sellerId', parent: 'users' },
  ],
  moneyFields: ['amount.value'],
  map: mapPayment,
  unmap: unmapPayment,
};
