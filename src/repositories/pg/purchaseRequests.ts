import { ObjectId } from 'bson';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import type { CollectionSpec, LegacyDoc } from '../../collections/spec.js';
import { asLegacyId, type LegacyId } from '../../db/ids.js';
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
import { decimal128 } from '../mongo/exactMoney.js';
import { toPurchaseRequest } from '../mongo/purchaseRequests.js';
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

const COLLECTION = 'purchaserequests';
const DEFAULT_LIMIT = 50;
/** MongoDB's `_id: -1`: ObjectIds (24-hex, bytewise) above string ids, each type descending. */
const NEWEST_FIRST = `(legacy_object_id ~ '^[0-9a-f]{24}$') DESC, legacy_object_id COLLATE "C" DESC`;
const LIVE = `source_deleted_at IS NULL AND rejected_at IS NULL`;

const spec = (): CollectionSpec => REGISTRY.get(COLLECTION);

/**
 * Purchase requests with Postgres authoritative (pg mode). Reads answer the same domain objects as
 * MongoPurchaseRequestRepo (rows → document through the spec's unmap → the same conversion). Every write
 * is ONE transaction that notes and takes the request's document lock (the forward sync's), reads the
 * document as Postgres holds it under that lock, checks the rule the Mongo repo puts in its filter
 * (so of concurrent acceptances exactly one still finds the request open with nothing accepted), and
 * writes the changed document back through `spec.map` as the forward sync would (rewriteMappedDocument):
 * the main row, the child tables and the deferred links — `acceptedOfferId` and the offers junction — by
 * the backfill's own pending links and link pass.
 */
export class DrizzlePurchaseRequestRepo implements IPurchaseRequestRepo {
  constructor(private readonly ctx: PgContext) {}

  async create(input: NewPurchaseRequest): Promise<PurchaseRequest> {
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const identity = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId: identity.legacyId }]);
      const at = await writeInstant(tx.client);
      const { budget, buyerId, categoryId, preferredSellerIds, deliveryInfo, serviceInfo, ...rest } = input;
      // The document Mongoose would save: ObjectId references, a Decimal128 budget, both arrays.
      const doc: LegacyDoc = withoutUndefined({
        _id: new ObjectId(identity.legacyId),
        ...rest,
        buyerId: new ObjectId(buyerId),
        categoryId: categoryId === undefined ? undefined : new ObjectId(categoryId),
        budget: budget && { amount: decimal128(budget.value), currency: budget.currency },
        status: input.status ?? OPEN_REQUEST_STATUS,
        offers: [],
        preferredSellerIds: (preferredSellerIds ?? []).map((one) => new ObjectId(one)),
        deliveryInfo: subdocument(castDelivery(deliveryInfo ?? {})),
        serviceInfo: subdocument({ ...serviceInfo }),
        createdAt: at,
        updatedAt: at,
      });
      const mapped = await mapNewDocument(tx.client, spec(), identity.legacyId, doc);
      await insertMappedDocument(tx.client, spec(), identity, doc, mapped);
      return this.#read(tx, identity.legacyId);
    });
  }

  async addOffer(requestId: Id, offerId: Id): Promise<PurchaseRequest> {
    return this.#change(requestId, async (tx, doc) => {
      if (doc.status !== OPEN_REQUEST_STATUS)
        return refusal(requestId, doc, `takes offers only while ${OPEN_REQUEST_STATUS}`);
      // The junction can hold only an offer Postgres has (MongoDB would list any id).
      const { rows } = await tx.client.query(
        `SELECT 1 FROM seller_offers WHERE legacy_object_id = $1 AND ${LIVE}`,
        [offerId],
      );
      if (rows.length === 0) return new NotFoundError('selleroffers', offerId);
      // `$addToSet`: linking the same offer twice links it once.
      const offers = idsOf(doc.offers);
      if (!offers.some((one) => one.equals(offerId))) doc.offers = [...offers, new ObjectId(offerId)];
      return undefined;
    });
  }

  async acceptOffer(requestId: Id, offerId: Id): Promise<PurchaseRequest> {
    return this.#change(requestId, (_tx, doc) => {
      const accepted = doc.acceptedOfferId as unknown;
      if (doc.status !== OPEN_REQUEST_STATUS || (accepted !== undefined && accepted !== null))
        return Promise.resolve(
          new DomainRuleError(
            COLLECTION,
            requestId,
            `cannot accept an offer: is ${typeof doc.status === 'string' ? doc.status : 'without a status'}${accepted ? `, offer ${String(accepted)} accepted` : ''}`,
          ),
        );
      if (!idsOf(doc.offers).some((one) => one.equals(offerId)))
        return Promise.resolve(
          new DomainRuleError(COLLECTION, requestId, `offer ${offerId} is not one of its offers`),
        );
      doc.acceptedOfferId = new ObjectId(offerId);
      doc.status = ACCEPTED_REQUEST_STATUS;
      return Promise.resolve(undefined);
    });
  }

  async changeStatus(
    id: Id,
    from: PurchaseRequestStatus,
    to: PurchaseRequestStatus,
  ): Promise<PurchaseRequest> {
    return this.#change(id, (_tx, doc) => {
      if (doc.status !== from) return Promise.resolve(refusal(id, doc, `not ${from}`));
      doc.status = to;
      return Promise.resolve(undefined);
    });
  }

  setDeliveryInfo(id: Id, fields: Partial<Nullable<DeliveryInfo>>): Promise<PurchaseRequest> {
    return this.#setSubdocument(id, 'deliveryInfo', castDelivery(fields));
  }

  setServiceInfo(id: Id, fields: Partial<Nullable<ServiceInfo>>): Promise<PurchaseRequest> {
    return this.#setSubdocument(id, 'serviceInfo', fields);
  }

  async findById(id: Id): Promise<PurchaseRequest | null> {
    return withClient(this.ctx.pool, async (client) => {
      const [found] = await requestsOf(client, [asLegacyId(id)]);
      return found ?? null;
    });
  }

  async listByBuyer(buyerId: Id, page: Page = {}): Promise<PurchaseRequest[]> {
    return this.#list(`buyer_id = (SELECT id FROM users WHERE legacy_object_id = $3)`, [buyerId], page);
  }

  async listOpen(page: Page = {}): Promise<PurchaseRequest[]> {
    // As the Mongo repo: open, and not past its expiry (the expiry job flips those to `expired` later).
    return this.#list(`status = 'open' AND (expires_at IS NULL OR expires_at > clock_timestamp())`, [], page);
  }

  async #list(filter: string, parameters: unknown[], page: Page): Promise<PurchaseRequest[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM purchase_requests
          WHERE ${filter} AND ${LIVE}
          ORDER BY ${NEWEST_FIRST} LIMIT $1 OFFSET $2`,
        [page.limit ?? DEFAULT_LIMIT, page.offset ?? 0, ...parameters],
      );
      return requestsOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  /** MongoDB's dotted `$set`: the fields given are set (null included), the others keep their value. */
  async #setSubdocument(
    id: Id,
    path: 'deliveryInfo' | 'serviceInfo',
    fields: Record<string, unknown>,
  ): Promise<PurchaseRequest> {
    const set = defined(fields);
    return this.#change(id, (_tx, doc) => {
      if (Object.keys(set).length > 0) {
        const current = doc[path] as unknown;
        const base =
          current !== null && typeof current === 'object' ? (current as Record<string, unknown>) : {};
        doc[path] = { ...base, ...set };
      }
      return Promise.resolve(undefined);
    });
  }

  /**
   * One write of one request: claimed (noted, the document lock) first, its document read under the
   * lock, `edit`ed (a returned error refuses the write: nothing is changed), stamped and written back.
   */
  async #change(
    id: Id,
    edit: (tx: WriteTransaction, doc: LegacyDoc) => Promise<Error | undefined>,
  ): Promise<PurchaseRequest> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const [doc] = await readDocuments(tx.client, spec(), [legacyId]);
      if (!doc) throw new NotFoundError(COLLECTION, id);
      const refused = await edit(tx, doc);
      if (refused) throw refused;
      doc.updatedAt = await writeInstant(tx.client);
      // Mapped as a new document is (an unknown parent a NotFoundError), then written as the sync would.
      const mapped = await mapNewDocument(tx.client, spec(), legacyId, doc);
      await rewriteMappedDocument(tx.client, spec(), legacyId, doc, mapped);
      return this.#read(tx, legacyId);
    });
  }

  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<PurchaseRequest> {
    const [found] = await requestsOf(tx.client, [legacyId]);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}

async function requestsOf(client: pg.ClientBase, legacyIds: readonly LegacyId[]): Promise<PurchaseRequest[]> {
  return (await readDocuments(client, spec(), legacyIds)).map((doc) => toPurchaseRequest(asDriverReads(doc)));
}

function refusal(id: Id, doc: LegacyDoc, rule: string): DomainRuleError {
  const status = typeof doc.status === 'string' ? doc.status : 'without a status';
  return new DomainRuleError(COLLECTION, id, `is ${status}: ${rule}`);
}

/** The ObjectIds of a stored id array (the junction gives ObjectIds). */
function idsOf(value: unknown): ObjectId[] {
  return Array.isArray(value) ? value.filter((one): one is ObjectId => one instanceof ObjectId) : [];
}

/** As Mongoose casts it: `addressId` an ObjectId. */
function castDelivery<T extends { addressId?: Id | null }>(fields: T): Record<string, unknown> {
  const { addressId, ...rest } = fields;
  return {
    ...rest,
    ...(addressId === undefined ? {} : { addressId: addressId === null ? null : new ObjectId(addressId) }),
  };
}

/** A nested path Mongoose saves only when something is in it (minimize). */
function subdocument(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const given = defined(fields);
  return Object.keys(given).length > 0 ? given : undefined;
}

/** Drops undefined values, as Mongoose does not store them. */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
