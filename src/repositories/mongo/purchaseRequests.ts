import { Types } from 'mongoose';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import {
  ACCEPTED_REQUEST_STATUS,
  OPEN_REQUEST_STATUS,
  type DeliveryInfo,
  type IPurchaseRequestRepo,
  type NewPurchaseRequest,
  type Nullable,
  type PurchaseRequest,
  type PurchaseRequestStatus,
  type ServiceInfo,
} from '../domain/purchaseRequests.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { legacyAmountToMoney } from './sellerOffers.js';
import { toDomain } from './toDomain.js';

const COLLECTION = 'purchaserequests';
const DEFAULT_LIMIT = 50;

/**
 * Purchase requests through Mongoose. Every write is one single-document update, which MongoDB applies
 * atomically: state changes carry the status they start from in their filter (a lost race matches
 * nothing and becomes a DomainRuleError), the offer list grows by `$addToSet`, and the delivery and
 * service subdocuments change by dotted `$set`, so no method reads a value and writes it back.
 */
export class MongoPurchaseRequestRepo implements IPurchaseRequestRepo {
  constructor(private readonly ctx: MongoContext) {}

  async create(input: NewPurchaseRequest): Promise<PurchaseRequest> {
    const { budget, ...rest } = input;
    const document = new this.ctx.models.PurchaseRequest({
      ...rest,
      ...(budget ? { budget: { amount: budget.value, currency: budget.currency } } : {}),
      status: input.status ?? OPEN_REQUEST_STATUS,
      offers: [],
    });
    noteWrite(COLLECTION, document._id);
    await document.save();
    return toPurchaseRequest(document.toObject());
  }

  async addOffer(requestId: Id, offerId: Id): Promise<PurchaseRequest> {
    // `$addToSet`, not the legacy `$push`: a retried call must not list the offer twice (the repeated
    // ids of legacy documents come from that `$push`). Still one atomic append, and only while open,
    // so an offer cannot slip in after another was accepted.
    noteWrite(COLLECTION, new Types.ObjectId(requestId));
    const updated = await this.ctx.models.PurchaseRequest.findOneAndUpdate(
      { _id: requestId, status: OPEN_REQUEST_STATUS },
      { $addToSet: { offers: new Types.ObjectId(offerId) } },
      { returnDocument: 'after' },
    ).lean();
    if (updated) return toPurchaseRequest(updated);
    throw await this.#refusal(requestId, `takes offers only while ${OPEN_REQUEST_STATUS}`);
  }

  async acceptOffer(requestId: Id, offerId: Id): Promise<PurchaseRequest> {
    // One conditional write sets the offer and the status together: of concurrent acceptances exactly
    // one still finds the request open with nothing accepted.
    noteWrite(COLLECTION, new Types.ObjectId(requestId));
    const updated = await this.ctx.models.PurchaseRequest.findOneAndUpdate(
      {
        _id: requestId,
        status: OPEN_REQUEST_STATUS,
        acceptedOfferId: null,
        offers: new Types.ObjectId(offerId),
      },
      { $set: { acceptedOfferId: new Types.ObjectId(offerId), status: ACCEPTED_REQUEST_STATUS } },
      { returnDocument: 'after' },
    ).lean();
    if (updated) return toPurchaseRequest(updated);
    const current = await this.ctx.models.PurchaseRequest.findById(requestId, {
      status: 1,
      acceptedOfferId: 1,
      offers: 1,
    }).lean();
    if (!current) throw new NotFoundError(COLLECTION, requestId);
    if (current.status !== OPEN_REQUEST_STATUS || current.acceptedOfferId)
      throw new DomainRuleError(
        COLLECTION,
        requestId,
        `cannot accept an offer: is ${current.status ?? 'without a status'}${current.acceptedOfferId ? `, offer ${String(current.acceptedOfferId)} accepted` : ''}`,
      );
    throw new DomainRuleError(COLLECTION, requestId, `offer ${offerId} is not one of its offers`);
  }

  async changeStatus(
    id: Id,
    from: PurchaseRequestStatus,
    to: PurchaseRequestStatus,
  ): Promise<PurchaseRequest> {
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const updated = await this.ctx.models.PurchaseRequest.findOneAndUpdate(
      { _id: id, status: from },
      { $set: { status: to } },
      { returnDocument: 'after' },
    ).lean();
    if (updated) return toPurchaseRequest(updated);
    throw await this.#refusal(id, `not ${from}`);
  }

  setDeliveryInfo(id: Id, fields: Partial<Nullable<DeliveryInfo>>): Promise<PurchaseRequest> {
    return this.#setSubdocument(id, 'deliveryInfo', fields);
  }

  setServiceInfo(id: Id, fields: Partial<Nullable<ServiceInfo>>): Promise<PurchaseRequest> {
    return this.#setSubdocument(id, 'serviceInfo', fields);
  }

  async findById(id: Id): Promise<PurchaseRequest | null> {
    const found = await this.ctx.models.PurchaseRequest.findById(id).lean();
    return found ? toPurchaseRequest(found) : null;
  }

  async listByBuyer(buyerId: Id, page: Page = {}): Promise<PurchaseRequest[]> {
    return this.#list({ buyerId }, page);
  }

  async listOpen(page: Page = {}): Promise<PurchaseRequest[]> {
    // The expiry job flips overdue requests to `expired` later: until then they are not shown as open.
    return this.#list(
      { status: OPEN_REQUEST_STATUS, $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date() } }] },
      page,
    );
  }

  async #list(filter: Record<string, unknown>, page: Page): Promise<PurchaseRequest[]> {
    const found = await this.ctx.models.PurchaseRequest.find(filter)
      .sort({ _id: -1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map((one) => toPurchaseRequest(one));
  }

  /** Dotted paths: the fields not given keep their stored value (a `$set` of the subdocument drops them). */
  async #setSubdocument(
    id: Id,
    path: 'deliveryInfo' | 'serviceInfo',
    fields: Record<string, unknown>,
  ): Promise<PurchaseRequest> {
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) set[`${path}.${key}`] = value;
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const updated = await this.ctx.models.PurchaseRequest.findOneAndUpdate(
      { _id: id },
      { $set: set },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw new NotFoundError(COLLECTION, id);
    return toPurchaseRequest(updated);
  }

  /** Why a conditional write matched nothing: the request is gone, or its status forbids the write. */
  async #refusal(id: Id, rule: string): Promise<Error> {
    const current = await this.ctx.models.PurchaseRequest.findById(id, { status: 1 }).lean();
    if (!current) return new NotFoundError(COLLECTION, id);
    return new DomainRuleError(COLLECTION, id, `is ${current.status ?? 'without a status'}: ${rule}`);
  }
}

export function toPurchaseRequest(document: Record<string, unknown>): PurchaseRequest {
  const request = toDomain<PurchaseRequest>(document);
  const budget = legacyAmountToMoney(request.budget);
  if (budget) request.budget = budget;
  else delete request.budget;
  request.offers ??= [];
  request.preferredSellerIds ??= [];
  return request;
}
