import { disputeReason, disputeStatus, type disputes } from '../../db/schema/disputes.js';
import {
  classifyReference,
  FieldReject,
  MapBuilder,
  optionalBool,
  optionalDate,
  optionalMoney,
  optionalString,
  readSubdoc,
  type MainRow,
  type Read,
} from '../mapping/index.js';
import { optionalEnum } from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';
import { mapEvidence, mapTimeline } from './children.js';
import { DISPUTE_SHAPE } from './shape.js';

/**
 * `chatId`, a cross-store reference (Chat stays on Mongo): stored as the chat's 24 lower-case hex, never
 * looked up. It is still a typed `OID → chats`, so the ids table of docs/data-policy.md applies: a
 * 24-hex string is the ObjectId it spells, anything else is invalid_reference.
 */
function chatIdOf(value: unknown): Read<string | null> {
  const found = classifyReference(value);
  if (found.kind === 'absent') return null;
  if (found.kind === 'id') return found.legacyId;
  return new FieldReject('invalid_reference', 'chatId', `chatId is ${found.found}, not an id of chats`);
}

/**
 * A disputes document → disputes row (`resolution` flattened) + evidence/timeline child rows. The
 * payment is optional (NULL + anomaly when gone); the request and both parties are required.
 */
export function mapDispute(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const resolution = b.read(readSubdoc(doc.resolution, 'resolution'), {});
  const row: MainRow<typeof disputes> = {
    ...b.commonColumns(doc, DISPUTE_SHAPE),
    purchaseRequestId: b.requiredRef(doc.purchaseRequestId, {
      field: 'purchaseRequestId',
      parent: 'purchaserequests',
    }),
    paymentId: b.optionalRef(doc.paymentId, { field: 'paymentId', parent: 'payments' }),
    openedById: b.requiredRef(doc.openedBy, { field: 'openedBy', parent: 'users' }),
    againstUserId: b.requiredRef(doc.againstUserId, { field: 'againstUserId', parent: 'users' }),
    reason: b.read(optionalEnum(doc.reason, 'reason', disputeReason.enumValues)),
    status: b.read(optionalEnum(doc.status, 'status', disputeStatus.enumValues)),
    chatId: b.read(chatIdOf(doc.chatId)),
    resolutionOutcome: b.read(optionalString(resolution.outcome, 'resolution.outcome')),
    resolutionRefundAmount: b.read(optionalMoney(resolution.refundAmount, 'resolution.refundAmount')),
    resolutionResolvedById: b.optionalRef(resolution.resolvedBy, {
      field: 'resolution.resolvedBy',
      parent: 'users',
    }),
    resolutionResolvedAt: b.read(optionalDate(resolution.resolvedAt, 'resolution.resolvedAt')),
    resolutionNotes: b.read(optionalString(resolution.notes, 'resolution.notes')),
    releaseHold: b.read(optionalBool(doc.releaseHold, 'releaseHold')),
  };
  return b.finish(row, {
    dispute_evidence: mapEvidence(b, doc.evidence),
    dispute_timeline: mapTimeline(b, doc.timeline),
  });
}
