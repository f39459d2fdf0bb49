import { disputeEvidence, disputes, disputeTimeline } from '../../db/schema/disputes.js';
import type { CollectionSpec } from '../spec.js';
import { mapDispute } from './map.js';
import { unmapDispute } from './unmap.js';

/**
 * disputes (plan Phase 5): after purchaserequests and payments. `chatId` is deliberately not a
 * reference: chats stay on Mongo, so there is no parent collection to resolve against.
 */
export const disputesSpec: CollectionSpec = {
  collection: 'disputes',
  phase: 5,
  table: disputes,
  children: {
    dispute_evidence: { table: disputeEvidence, ownerKey: 'disputeId' },
    dispute_timeline: { table: disputeTimeline, ownerKey: 'disputeId' },
  },
  references: [
    { path: 'purchaseRequestId', parent: 'purchaserequests' },
    { path: 'paymentId', parent: 'payments' },
    { path: 'openedBy', parent: 'users' },
    { path: 'againstUserId', parent: 'users' },
    { path: 'resolution.resolvedBy', parent: 'users' },
    { path: 'evidence.uploadedBy', parent: 'users' },
    { path: 'timeline.actor', parent: 'users' },
  ],
  moneyFields: ['resolution.refundAmount'],
  map: mapDispute,
  unmap: unmapDispute,
};
