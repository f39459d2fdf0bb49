import { pointTransactions } from '../../db/schema/pointTransactions.js';
import type { CollectionSpec } from '../spec.js';
import { mapPointTransaction } from './map.js';
import { unmapPointTransaction } from './unmap.js';

/**
 * pointtransactions: the points ledger (plan Phase 4). `referenceId` is polymorphic, so it is not a
 * declared reference: nothing to prefetch, no ordering it could impose.
 */
export const pointTransactionsSpec: CollectionSpec = {
  collection: 'pointtransactions',
  phase: 4,
  table: pointTransactions,
  references: [{ path: 'userId', parent: 'users' }],
  map: mapPointTransaction,
  unmap: unmapPointTransaction,
};
