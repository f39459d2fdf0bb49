import { ObjectId } from 'bson';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import type { CollectionSpec, LegacyDoc } from '../../collections/spec.js';
import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';
import type { ESCROW_STATES } from '../../legacy/enums.js';
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
import { checkedDecimalText, decimal128 } from '../mongo/exactMoney.js';
import { toDispute as mongoDispute } from '../mongo/disputes.js';
import {
  insertMappedDocument,
  mapNewDocument,
  readDocuments,
  rewriteMappedDocument,
  withoutUndefined,
} from './mappedDocuments.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { asDriverReads } from './readDomain.js';

import { newIdentity } from './newIdentity.js';
import { inReadSnapshot, withClient } from './reads.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';

import { writeInstant } from './writeInstant.js';

const DISPUTES = 'disputes';
const REQUESTS = 'purchaserequests';
const PAYMENTS = 'payments';
const DEFAULT_LIMIT = 50;
const OPEN: readonly string[] = OPEN_DISPUTE_STATUSES;
const LIVE = `source_deleted_at IS NULL AND rejected_at IS NULL`;
/** MongoDB's {createdAt: 1, _id: 1}: a missing createdAt first, string ids before ObjectIds. */
const OLDEST_FIRST = `created_at ASC NULLS FIRST, (legacy_object_id ~ '^[0-9a-f]{24}$'), legacy_object_id COLLATE "C"`;

type EscrowState = (typeof ESCROW_STATES)[number];
/** As the Mongo repo: `funded` is the hold; a payment in any other state is left alone. */
const HOLD = { from: 'releasable', to: 'funded' } as const satisfies Record<string, EscrowState>;
const RELEASE = { from: 'funded', to: 'releasable' } as const satisfies Record<string, EscrowState>;

const spec = (): CollectionSpec => REGISTRY.get(DISPUTES);

/**
 * The domain object MongoDisputeRepo answers (its toDispute), with a timeline entry's `actor` null when
 * Postgres holds none: dispute_timeline.actor_id NULL comes back absent (unmapDispute), and every entry
 * this repository or the Mongo one writes holds an explicit actor, null for the system (the schema's
 * default).
 */
function toDispute(document: LegacyDoc): Dispute {
  const dispute = mongoDispute(document);
  dispute.timeline = dispute.timeline?.map((entry) => ({ ...entry, actor: entry.actor ?? null }));
  return dispute;
}

async function disputesOf(client: pg.ClientBase, legacyIds: readonly LegacyId[]): Promise<Dispute[]> {
  return (await readDocuments(client, spec(), legacyIds)).map((doc) => toDispute(asDriverReads(doc)));
}

const isOpen = (status: unknown): boolean => OPEN.includes(status as string);

/**
 * Disputes with Postgres authoritative (pg mode, plan Phase 4). Reads answer the same domain objects as
 * MongoDisputeRepo (rows → document through the spec's unmap → the Mongo conversion). What MongoDB does
 * as ordered single-document writes is here ONE transaction: `raise` locks the request (the sync's
 * document lock, then its row), so concurrent raises queue there and the second finds the first's open
 * dispute; the request's status, the payment's hold and the dispute land together or not at all.
 * `resolve` closes the dispute and releases the hold in one transaction as well.
 */
export class DrizzleDisputeRepo implements IDisputeRepo {
  constructor(private readonly ctx: PgContext) {}

  async raise(input: NewDispute): Promise<Dispute> {
    const requestId = asLegacyId(input.purchaseRequestId);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, REQUESTS, [{ legacyId: requestId }]);
      // NO KEY UPDATE, the lock the status UPDATE below takes anyway: FOR UPDATE would also block the
      // KEY SHARE of a child row's FK check (a confirm inserting the AML fee entry of this request's
      // payment while holding the payment's document lock, which we take next: a deadlock).
      const { rows: requests } = await tx.client.query<{ id: PgUuid; status: string | null }>(
        `SELECT id, status::text AS status FROM purchase_requests
          WHERE legacy_object_id = $1 AND ${LIVE} FOR NO KEY UPDATE`,
        [requestId],
      );
      const request = requests[0];
      if (!request) throw new NotFoundError(REQUESTS, input.purchaseRequestId);
      const existing = await this.#disputesOfRequest(tx.client, request.id);
      const open = existing.find((one) => isOpen(one.status));
      if (open) return open;
      const at = await writeInstant(tx.client);
      if ((DISPUTABLE_REQUEST_STATUSES as readonly (string | null)[]).includes(request.status)) {
        await tx.client.query(
          `UPDATE purchase_requests SET status = 'disputed', updated_at = $2, source_updated_at = $2,
                  source_read_at = clock_timestamp()
            WHERE id = $1`,
          [request.id, at],
        );
      } else if (request.status !== 'disputed') {
        throw new DomainRuleError(
          REQUESTS,
          input.purchaseRequestId,
          `is ${request.status ?? 'without a status'}: a dispute needs one of ${DISPUTABLE_REQUEST_STATUSES.join(', ')}`,
        );
      } else if (existing.length > 0) {
        // Disputed, and its dispute closed: the request is the caller's to move on.
        throw new DomainRuleError(
          REQUESTS,
          input.purchaseRequestId,
          `is disputed and its dispute ${existing[existing.length - 1]!.id} is ${String(existing[existing.length - 1]!.status)}: move the request on first`,
        );
      }
      if (input.paymentId) await moveEscrow(tx, input.paymentId, HOLD, at);
      const identity = await newIdentity(tx.client, DISPUTES);
      await claimDocuments(tx.client, DISPUTES, [{ legacyId: identity.legacyId }]);
      const { note, evidence = [] } = input;
      // The document Mongoose would save, its legacy pre-save hook's `status_change` entry included.
      const doc = withoutUndefined({
        _id: new ObjectId(identity.legacyId),
        purchaseRequestId: new ObjectId(input.purchaseRequestId),
        paymentId: input.paymentId === undefined ? undefined : new ObjectId(input.paymentId),
        openedBy: new ObjectId(input.openedBy),
        againstUserId: new ObjectId(input.againstUserId),
        reason: input.reason,
        chatId: input.chatId === undefined ? undefined : new ObjectId(input.chatId),
        status: 'open',
        evidence: evidence.map((one) => evidenceElement(one, at)),
        timeline: [
          withoutUndefined({
            at,
            actor: new ObjectId(input.openedBy),
            action: 'opened',
            fromStatus: null,
            toStatus: 'open',
            note,
            _id: new ObjectId(),
          }),
          {
            at,
            actor: null,
            action: 'status_change',
            fromStatus: null,
            toStatus: 'open',
            _id: new ObjectId(),
          },
        ],
        createdAt: at,
        updatedAt: at,
      });
      const mapped = await mapNewDocument(tx.client, spec(), identity.legacyId, doc);
      await insertMappedDocument(tx.client, spec(), identity, doc, mapped);
      return this.#read(tx, identity.legacyId);
    });
  }

  async appendTimeline(id: Id, entry: NewTimelineEntry): Promise<Dispute> {
    return this.#rewrite(id, (doc, at) => {
      const timeline = (doc.timeline as LegacyDoc[] | undefined) ?? [];
      doc.timeline = [
        ...timeline,
        timelineElement({ ...entry, at: entry.at ?? at, actor: entry.actor ?? null }),
      ];
    });
  }

  async addEvidence(id: Id, evidence: NewEvidence): Promise<Dispute> {
    return this.#rewrite(id, (doc, at) => {
      if (!isOpen(doc.status))
        throw new DomainRuleError(
          DISPUTES,
          id,
          `is ${String(doc.status ?? 'without a status')}: evidence only while open`,
        );
      doc.evidence = [...((doc.evidence as LegacyDoc[] | undefined) ?? []), evidenceElement(evidence, at)];
    });
  }

  async resolve(id: Id, outcome: DisputeOutcome, options: ResolveOptions = {}): Promise<Dispute> {
    const releaseHold = options.releaseHold ?? false;
    const { status, resolvedAt, ...resolution } = outcome;
    const refundAmount =
      resolution.refundAmount === undefined
        ? undefined
        : decimal128(checkedDecimalText(resolution.refundAmount, DISPUTES, id));
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const current = await this.#lock(tx, legacyId);
      if (!current) throw new NotFoundError(DISPUTES, id);
      const at = await writeInstant(tx.client);
      if (!isOpen(current.status)) {
        if (
          current.status !== status ||
          ((current.releaseHold as boolean | undefined) ?? false) !== releaseHold
        )
          throw new DomainRuleError(
            DISPUTES,
            id,
            `is ${String(current.status ?? 'without a status')}, not open`,
          );
        // A repeated resolution: the hold is released again (a no-op once released).
        if (releaseHold && current.paymentId) await moveEscrow(tx, String(current.paymentId), RELEASE, at);
        return toDispute(current);
      }
      const when = resolvedAt ?? at;
      const doc: LegacyDoc = {
        ...current,
        status,
        releaseHold,
        resolution: withoutUndefined({
          outcome: resolution.outcome,
          refundAmount,
          resolvedBy: resolution.resolvedBy === undefined ? undefined : new ObjectId(resolution.resolvedBy),
          resolvedAt: when,
          notes: resolution.notes,
        } as Record<string, unknown> as LegacyDoc),
        timeline: [
          ...((current.timeline as LegacyDoc[] | undefined) ?? []),
          timelineElement({
            at: when,
            actor: resolution.resolvedBy ?? null,
            action: status === 'cancelled' ? 'cancelled' : 'resolved',
            fromStatus: current.status as string,
            toStatus: status,
            note: resolution.notes,
          }),
        ],
        updatedAt: at,
      };
      await rewriteMappedDocument(tx.client, spec(), legacyId, doc);
      // In the SAME transaction: the dispute closes and its hold is released together.
      if (releaseHold && doc.paymentId) await moveEscrow(tx, String(doc.paymentId), RELEASE, at);
      return this.#read(tx, legacyId);
    });
  }

  async findById(id: Id): Promise<Dispute | null> {
    return withClient(this.ctx.pool, async (client) => {
      const [found] = await disputesOf(client, [asLegacyId(id)]);
      return found ?? null;
    });
  }

  async listByPurchaseRequest(purchaseRequestId: Id): Promise<Dispute[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ id: PgUuid }>(
        `SELECT id FROM purchase_requests WHERE legacy_object_id = $1`,
        [purchaseRequestId],
      );
      return rows[0] ? this.#disputesOfRequest(client, rows[0].id) : [];
    });
  }

  async listOpen(page: Page = {}): Promise<Dispute[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM disputes WHERE status::text = ANY($1::text[]) AND ${LIVE}
          ORDER BY ${OLDEST_FIRST} OFFSET $2 LIMIT $3`,
        [OPEN, page.offset ?? 0, page.limit ?? DEFAULT_LIMIT],
      );
      return disputesOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  async #disputesOfRequest(client: pg.ClientBase, requestUuid: PgUuid): Promise<Dispute[]> {
    const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
      `SELECT legacy_object_id FROM disputes WHERE purchase_request_id = $1 AND ${LIVE} ORDER BY ${OLDEST_FIRST}`,
      [requestUuid],
    );
    return disputesOf(
      client,
      rows.map((r) => r.legacy_object_id),
    );
  }

  /** Claims the dispute (noted, the sync's lock), locks its row, reads its document. Null when absent. */
  async #lock(tx: WriteTransaction, legacyId: LegacyId): Promise<LegacyDoc | null> {
    await claimDocuments(tx.client, DISPUTES, [{ legacyId }]);
    const { rows } = await tx.client.query<{ id: PgUuid }>(
      `SELECT id FROM disputes WHERE legacy_object_id = $1 AND ${LIVE} FOR UPDATE`,
      [legacyId],
    );
    const [doc] = await readDocuments(tx.client, spec(), [legacyId]);
    return rows[0] && doc ? doc : null;
  }

  /** One change of one dispute's document, stamped and written back through `spec.map`. */
  async #rewrite(id: Id, edit: (doc: LegacyDoc, at: Date) => void): Promise<Dispute> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const doc = await this.#lock(tx, legacyId);
      if (!doc) throw new NotFoundError(DISPUTES, id);
      const at = await writeInstant(tx.client);
      edit(doc, at);
      doc.updatedAt = at;
      await rewriteMappedDocument(tx.client, spec(), legacyId, doc);
      return this.#read(tx, legacyId);
    });
  }

  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<Dispute> {
    const [found] = await disputesOf(tx.client, [legacyId]);
    if (!found) throw new Error(`${DISPUTES} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}

/** An evidence subdocument as Mongoose casts it: its fields, ObjectId uploader, its own `_id`. */
function evidenceElement(evidence: NewEvidence, at: Date): LegacyDoc {
  return withoutUndefined({
    uploadedBy: new ObjectId(evidence.uploadedBy),
    type: evidence.type,
    url: evidence.url,
    description: evidence.description,
    createdAt: at,
    _id: new ObjectId(),
  });
}

/** A timeline subdocument as Mongoose casts it (the schema's fields only, undefined ones left out). */
function timelineElement(entry: NewTimelineEntry & { at: Date; actor: Id | null }): LegacyDoc {
  return withoutUndefined({
    at: entry.at,
    actor: entry.actor === null ? null : new ObjectId(entry.actor),
    action: entry.action,
    fromStatus: entry.fromStatus,
    toStatus: entry.toStatus,
    note: entry.note,
    _id: new ObjectId(),
  });
}

/**
 * The Mongo repo's conditional escrow move (noted and locked whether or not it changes the payment): a
 * payment in another state, or gone, is left as it is. Stamped as Mongoose's updateOne would.
 */
async function moveEscrow(
  tx: WriteTransaction,
  paymentId: Id,
  move: { from: EscrowState; to: EscrowState },
  at: Date,
): Promise<void> {
  await claimDocuments(tx.client, PAYMENTS, [{ legacyId: asLegacyId(paymentId) }]);
  await tx.client.query(
    `UPDATE payments SET escrow_state = $3, updated_at = $4, source_updated_at = $4,
            source_read_at = clock_timestamp()
      WHERE legacy_object_id = $1 AND escrow_state = $2 AND ${LIVE}`,
    [paymentId, move.from, move.to, at],
  );
}
