import type { DISPUTE_REASONS, DISPUTE_STATUSES, EVIDENCE_TYPES } from '../../legacy/enums.js';
import type { DomainObject, Id, Page } from './common.js';
import type { PurchaseRequestStatus } from './purchaseRequests.js';

export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export type DisputeReason = (typeof DISPUTE_REASONS)[number];
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/**
 *   raise ─▶ open ⇄ under_review ⇄ awaiting_evidence ──resolve──▶ resolved_buyer | resolved_seller | cancelled
 */
export const OPEN_DISPUTE_STATUSES = [
  'open',
  'under_review',
  'awaiting_evidence',
] as const satisfies readonly DisputeStatus[];
export type ClosedDisputeStatus = Exclude<DisputeStatus, (typeof OPEN_DISPUTE_STATUSES)[number]>;

/** The request statuses a dispute may be raised from: an offer was accepted (and paid for). */
export const DISPUTABLE_REQUEST_STATUSES = [
  'in_progress',
  'awaiting_delivery',
  'delivered',
  'completed',
] as const satisfies readonly PurchaseRequestStatus[];

export interface DisputeEvidence {
  uploadedBy?: Id;
  type?: EvidenceType;
  url?: string;
  description?: string;
  createdAt?: Date;
}

export interface DisputeTimelineEntry {
  at?: Date;
  /** null: the system (auto-escalation, timeouts, the status hook). */
  actor?: Id | null;
  action?: string;
  /** Free text: the legacy app never constrained a timeline entry's statuses. */
  fromStatus?: string | null;
  toStatus?: string | null;
  note?: string;
}

export interface DisputeResolution {
  /** e.g. `refund_buyer`, `partial_refund`, `release_to_seller`. */
  outcome?: string;
  /** An exact decimal, in the payment's currency. */
  refundAmount?: string;
  resolvedBy?: Id;
  resolvedAt?: Date;
  notes?: string;
}

export interface Dispute extends DomainObject {
  purchaseRequestId: Id;
  paymentId?: Id | null;
  openedBy: Id;
  againstUserId: Id;
  reason?: DisputeReason;
  status?: DisputeStatus;
  evidence: DisputeEvidence[];
  /** Oldest first. */
  timeline: DisputeTimelineEntry[];
  /** A chat on MongoDB (chats are never migrated): a cross-store reference. */
  chatId?: Id;
  resolution?: DisputeResolution;
  /** Set by `resolve`: whether the payment's escrow hold was released. */
  releaseHold?: boolean;
}

export interface NewDispute {
  purchaseRequestId: Id;
  /** The request's pay-in; its escrow is held while the dispute is open. */
  paymentId?: Id;
  openedBy: Id;
  againstUserId: Id;
  reason: DisputeReason;
  /** The opener's words, on the `opened` timeline entry. */
  note?: string;
  evidence?: NewEvidence[];
  chatId?: Id;
}

export type NewEvidence = Omit<DisputeEvidence, 'createdAt'> & { uploadedBy: Id; type: EvidenceType };
export type NewTimelineEntry = Omit<DisputeTimelineEntry, 'action'> & { action: string };

export interface DisputeOutcome extends Omit<DisputeResolution, 'resolvedAt'> {
  /** The status the dispute closes with. */
  status: ClosedDisputeStatus;
  /** @defaultValue now */
  resolvedAt?: Date;
}

export interface ResolveOptions {
  /** Release the payment's escrow hold (`funded` → `releasable`). @defaultValue false */
  releaseHold?: boolean;
}

/**
 * Disputes. Raising one also marks its purchase request `disputed` and holds its payment's escrow;
 * resolving one may release that hold. Legacy MongoDB has no transaction around these documents, so
 * each method orders its writes so that a retry after a crash completes what was begun (plan Phase 4
 * makes them one Postgres transaction).
 */
export interface IDisputeRepo {
  /**
   * Opens a dispute on a request in a disputable status (DISPUTABLE_REQUEST_STATUSES), marks the request
   * `disputed` and holds the payment. Idempotent per request: while the request has an open dispute,
   * every raise (a retry, a concurrent raise, the other party's) returns that one.
   */
  raise(input: NewDispute): Promise<Dispute>;
  /** Appends an entry, atomically: concurrent appends all land. @defaultValue at now, actor null */
  appendTimeline(id: Id, entry: NewTimelineEntry): Promise<Dispute>;
  /** Appends evidence to an open dispute, atomically. @defaultValue createdAt now */
  addEvidence(id: Id, evidence: NewEvidence): Promise<Dispute>;
  /**
   * Closes an open dispute (DomainRuleError otherwise) and, with `releaseHold`, releases the payment's
   * hold. Repeating the same resolution completes it and returns the dispute. The request's own status
   * is the caller's to move (`IPurchaseRequestRepo.changeStatus`).
   */
  resolve(id: Id, outcome: DisputeOutcome, options?: ResolveOptions): Promise<Dispute>;
  findById(id: Id): Promise<Dispute | null>;
  /** Oldest first. */
  listByPurchaseRequest(purchaseRequestId: Id): Promise<Dispute[]>;
  /** Disputes in an open status, oldest first (the review queue). @defaultValue limit 50 */
  listOpen(page?: Page): Promise<Dispute[]>;
}
