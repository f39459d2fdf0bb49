import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import {
  DISPUTABLE_REQUEST_STATUSES,
  OPEN_DISPUTE_STATUSES,
  type Dispute,
  type DisputeOutcome,
  type IDisputeRepo,
  type NewDispute,
  type NewEvidence,
  type NewTimelineEntry,
  type ResolveOptions,
} from '../domain/disputes.js';
import type { ESCROW_STATES } from '../../legacy/enums.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { duplicateKeyFields } from './duplicateKey.js';
import { plainDecimal } from './sellerOffers.js';
import { toDomain } from './toDomain.js';

const DISPUTES = 'disputes';
const REQUESTS = 'purchaserequests';
const PAYMENTS = 'payments';
const DEFAULT_LIMIT = 50;
const OPEN = [...OPEN_DISPUTE_STATUSES];
/** `createdAt` first: within one second, ids derived from a claim (see `claimId`) sort at random. */
const OLDEST_FIRST = { createdAt: 1, _id: 1 } as const;

/**
 * The escrow hold. `escrowState` has no "held" value: `funded` (in escrow, not yet releasable) is the
 * hold, so raising a dispute takes a `releasable` payment back to `funded` where the payout cannot
 * release it, and releasing the hold makes it `releasable` again. A payment already `releasing` or
 * `released` is past holding and is left alone, as is one with no escrow state.
 */
const HOLD: EscrowMove = { from: 'releasable', to: 'funded' };
const RELEASE: EscrowMove = { from: 'funded', to: 'releasable' };

type EscrowState = (typeof ESCROW_STATES)[number];
interface EscrowMove {
  from: EscrowState;
  to: EscrowState;
}

/**
 * Disputes through Mongoose. Legacy MongoDB runs `raiseDispute` (request + payment + dispute) and a
 * resolution (dispute + payment) without a transaction, and a standalone server offers none, so each
 * method orders its single-document writes so that a crash between two of them leaves a state that the
 * same call, retried, completes; each write notes its document first.
 */
export class MongoDisputeRepo implements IDisputeRepo {
  constructor(private readonly ctx: MongoContext) {}

  /**
   * 1. Claim the request: flip it to `disputed` from a disputable status, in one conditional write. Of
   *    concurrent raises exactly one claims it.
   * 2. Hold the payment (a conditional write: repeating it changes nothing).
   * 3. Insert the dispute under an id derived from the claim (the request's id and the instant of
   *    its flip), so whoever inserts it (the claimer, a concurrent raise, or a retry after a crash
   *    after step 1 or 2) inserts the same document, once: `_id` is the one unique index `disputes`
   *    has (none on `purchaseRequestId`).
   * A raise that finds the request already `disputed` with no open dispute is one of those: it runs
   * steps 2 and 3 for the claim it finds. Left open: another write to the request in the few
   * milliseconds between a claim and its insert moves the instant, and a concurrent raise reading it
   * then would insert a second dispute (a unique index on open disputes per request would close this).
   */
  async raise(input: NewDispute): Promise<Dispute> {
    const { PurchaseRequest } = this.ctx.models;
    const open = await this.#openDisputeOf(input.purchaseRequestId);
    if (open) return toDispute(open);

    noteWrite(REQUESTS, new Types.ObjectId(input.purchaseRequestId));
    const claimed = await PurchaseRequest.findOneAndUpdate(
      { _id: input.purchaseRequestId, status: { $in: [...DISPUTABLE_REQUEST_STATUSES] } },
      { $set: { status: 'disputed' } },
      { returnDocument: 'after', projection: { status: 1, updatedAt: 1 } },
    ).lean();
    let claim = claimed;
    if (!claim) {
      claim = await PurchaseRequest.findById(input.purchaseRequestId, { status: 1, updatedAt: 1 }).lean();
      if (!claim) throw new NotFoundError(REQUESTS, input.purchaseRequestId);
      if (claim.status !== 'disputed')
        throw new DomainRuleError(
          REQUESTS,
          input.purchaseRequestId,
          `is ${claim.status ?? 'without a status'}: a dispute needs one of ${DISPUTABLE_REQUEST_STATUSES.join(', ')}`,
        );
      // Claimed by a raise still writing, or by one that crashed: finish it (below) under its id.
      const raced = await this.#openDisputeOf(input.purchaseRequestId);
      if (raced) return toDispute(raced);
    }
    const claimedAt = claim.updatedAt ?? claim._id.getTimestamp();

    if (input.paymentId) await this.#moveEscrow(input.paymentId, HOLD);

    const { note, evidence = [], ...fields } = input;
    const now = new Date();
    const document = new this.ctx.models.Dispute({
      ...fields,
      _id: claimId(input.purchaseRequestId, claimedAt),
      status: 'open',
      evidence: evidence.map((one) => ({ ...one, createdAt: now })),
      // The production shape of an opening; the legacy pre-save hook adds its own system entry.
      timeline: [
        { at: now, actor: input.openedBy, action: 'opened', fromStatus: null, toStatus: 'open', note },
      ],
    });
    noteWrite(DISPUTES, document._id);
    try {
      await document.save();
    } catch (error) {
      if (!duplicateKeyFields(error)?.includes('_id')) throw error;
      // Another raise of the same claim inserted it first.
      const existing = await this.ctx.models.Dispute.findById(document._id).lean();
      if (!existing) throw error;
      if (!isOpen(existing.status))
        throw new DomainRuleError(
          REQUESTS,
          input.purchaseRequestId,
          `is disputed and its dispute ${String(existing._id)} is ${existing.status}: move the request on first`,
        );
      return toDispute(existing);
    }
    return toDispute(document.toObject());
  }

  async appendTimeline(id: Id, entry: NewTimelineEntry): Promise<Dispute> {
    noteWrite(DISPUTES, new Types.ObjectId(id));
    const updated = await this.ctx.models.Dispute.findOneAndUpdate(
      { _id: id },
      { $push: { timeline: { ...entry, at: entry.at ?? new Date(), actor: entry.actor ?? null } } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw new NotFoundError(DISPUTES, id);
    return toDispute(updated);
  }

  async addEvidence(id: Id, evidence: NewEvidence): Promise<Dispute> {
    const { Dispute } = this.ctx.models;
    noteWrite(DISPUTES, new Types.ObjectId(id));
    const updated = await Dispute.findOneAndUpdate(
      { _id: id, status: { $in: OPEN } },
      { $push: { evidence: { ...evidence, createdAt: new Date() } } },
      { returnDocument: 'after' },
    ).lean();
    if (updated) return toDispute(updated);
    const current = await Dispute.findById(id, { status: 1 }).lean();
    if (!current) throw new NotFoundError(DISPUTES, id);
    throw new DomainRuleError(
      DISPUTES,
      id,
      `is ${current.status ?? 'without a status'}: evidence only while open`,
    );
  }

  /**
   * The dispute closes first (the conditional write decides between concurrent resolutions), the hold
   * is released after: a crash between them leaves a closed dispute with its payment still held, and
   * the same resolve, repeated, finds the dispute closed as asked and releases the hold.
   */
  async resolve(id: Id, outcome: DisputeOutcome, options: ResolveOptions = {}): Promise<Dispute> {
    const { Dispute } = this.ctx.models;
    const releaseHold = options.releaseHold ?? false;
    const { status, resolvedAt = new Date(), ...resolution } = outcome;
    for (;;) {
      const current = await Dispute.findById(id).lean();
      if (!current) throw new NotFoundError(DISPUTES, id);
      if (!isOpen(current.status)) {
        if (current.status !== status || (current.releaseHold ?? false) !== releaseHold)
          throw new DomainRuleError(DISPUTES, id, `is ${current.status ?? 'without a status'}, not open`);
        if (releaseHold && current.paymentId) await this.#moveEscrow(String(current.paymentId), RELEASE);
        return toDispute(current);
      }
      // The exact status it leaves is the filter, so the timeline entry tells the truth; the update
      // bypasses the legacy hook, so the entry is written here, in the same atomic write.
      noteWrite(DISPUTES, current._id);
      const updated = await Dispute.findOneAndUpdate(
        { _id: id, status: current.status },
        {
          $set: { status, releaseHold, resolution: { ...resolution, resolvedAt } },
          $push: {
            timeline: {
              at: resolvedAt,
              actor: resolution.resolvedBy ?? null,
              action: status === 'cancelled' ? 'cancelled' : 'resolved',
              fromStatus: current.status,
              toStatus: status,
              note: resolution.notes,
            },
          },
        },
        { returnDocument: 'after' },
      ).lean();
      // Moved between open statuses meanwhile: read it again.
      if (!updated) continue;
      if (releaseHold && updated.paymentId) await this.#moveEscrow(String(updated.paymentId), RELEASE);
      return toDispute(updated);
    }
  }

  async findById(id: Id): Promise<Dispute | null> {
    const found = await this.ctx.models.Dispute.findById(id).lean();
    return found ? toDispute(found) : null;
  }

  async listByPurchaseRequest(purchaseRequestId: Id): Promise<Dispute[]> {
    const found = await this.ctx.models.Dispute.find({ purchaseRequestId }).sort(OLDEST_FIRST).lean();
    return found.map((one) => toDispute(one));
  }

  async listOpen(page: Page = {}): Promise<Dispute[]> {
    const found = await this.ctx.models.Dispute.find({ status: { $in: OPEN } })
      .sort(OLDEST_FIRST)
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map((one) => toDispute(one));
  }

  async #openDisputeOf(purchaseRequestId: Id) {
    return this.ctx.models.Dispute.findOne({ purchaseRequestId, status: { $in: OPEN } })
      .sort(OLDEST_FIRST)
      .lean();
  }

  /** One conditional write: a payment in any other escrow state (or gone) is left as it is. */
  async #moveEscrow(paymentId: Id, move: EscrowMove): Promise<void> {
    noteWrite(PAYMENTS, new Types.ObjectId(paymentId));
    await this.ctx.models.Payment.updateOne(
      { _id: paymentId, escrowState: move.from },
      { $set: { escrowState: move.to } },
    );
  }
}

function isOpen(status: string | null | undefined): boolean {
  return (OPEN as (string | null | undefined)[]).includes(status);
}

/**
 * The id of the dispute raised by the claim of `requestId` at `claimedAt`: the claim's second as the
 * ObjectId's timestamp (so the id still sorts by creation), then 8 bytes of a hash of both.
 */
function claimId(requestId: Id, claimedAt: Date): Types.ObjectId {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.floor(claimedAt.getTime() / 1000), 0);
  createHash('sha256').update(`dispute:${requestId}:${claimedAt.getTime()}`).digest().copy(bytes, 4, 0, 8);
  return new Types.ObjectId(bytes);
}

/** Legacy arrays may hold nulls; a subdocument's own `_id` (Mongoose adds one) is not domain data. */
export function toDispute(document: Record<string, unknown>): Dispute {
  const dispute = toDomain<Dispute>(document);
  dispute.evidence = entries(dispute.evidence) as Dispute['evidence'];
  dispute.timeline = entries(dispute.timeline) as Dispute['timeline'];
  if (dispute.resolution?.refundAmount !== undefined)
    dispute.resolution.refundAmount = plainDecimal(dispute.resolution.refundAmount);
  return dispute;
}

function entries(list: unknown): Record<string, unknown>[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((one): one is Record<string, unknown> => typeof one === 'object' && one !== null)
    .map(({ _id, ...rest }) => {
      void _id;
      return rest;
    });
}
