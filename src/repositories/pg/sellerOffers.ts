import { ObjectId } from 'bson';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import type { CollectionSpec, LegacyDoc } from '../../collections/spec.js';
import { asLegacyId, type LegacyId } from '../../db/ids.js';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import type {
  ISellerOfferRepo,
  NewSellerOffer,
  SellerOffer,
  SellerOfferStatus,
} from '../domain/sellerOffers.js';
import { decimal128 } from '../mongo/exactMoney.js';
import { toSellerOffer } from '../mongo/sellerOffers.js';
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

const COLLECTION = 'selleroffers';
const DEFAULT_LIMIT = 50;
const LIVE = `source_deleted_at IS NULL AND rejected_at IS NULL`;
/** MongoDB's `_id` order: ObjectIds (24-hex, bytewise) above string ids. */
const byId = (direction: 'ASC' | 'DESC') =>
  `(legacy_object_id ~ '^[0-9a-f]{24}$') ${direction}, legacy_object_id COLLATE "C" ${direction}`;

const spec = (): CollectionSpec => REGISTRY.get(COLLECTION);

/**
 * Seller offers with Postgres authoritative (pg mode). Reads answer the same domain objects as
 * MongoSellerOfferRepo (rows → document through the spec's unmap → the same conversion). A create
 * writes the document Mongoose would save through `spec.map` (insertMappedDocument); a status change
 * notes and takes the offer's document lock, reads its document under it, and writes the changed
 * document's mapped row: of a withdrawal racing an acceptance exactly one finds the status it starts from.
 */
export class DrizzleSellerOfferRepo implements ISellerOfferRepo {
  constructor(private readonly ctx: PgContext) {}

  async create(input: NewSellerOffer): Promise<SellerOffer> {
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const identity = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId: identity.legacyId }]);
      const at = await writeInstant(tx.client);
      const doc: LegacyDoc = withoutUndefined({
        _id: new ObjectId(identity.legacyId),
        purchaseRequestId: new ObjectId(input.purchaseRequestId),
        sellerId: new ObjectId(input.sellerId),
        price: { amount: decimal128(input.price.value), currency: input.price.currency },
        message: input.message,
        deliveryDays: input.deliveryDays,
        status: 'pending',
        createdAt: at,
        updatedAt: at,
      });
      const mapped = await mapNewDocument(tx.client, spec(), identity.legacyId, doc);
      await insertMappedDocument(tx.client, spec(), identity, doc, mapped);
      return this.#read(tx, identity.legacyId);
    });
  }

  async changeStatus(id: Id, from: SellerOfferStatus, to: SellerOfferStatus): Promise<SellerOffer> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const [doc] = await readDocuments(tx.client, spec(), [legacyId]);
      if (!doc) throw new NotFoundError(COLLECTION, id);
      if (doc.status !== from)
        throw new DomainRuleError(
          COLLECTION,
          id,
          `is ${typeof doc.status === 'string' ? doc.status : 'without a status'}, not ${from}`,
        );
      const changed = { ...doc, status: to, updatedAt: await writeInstant(tx.client) };
      await rewriteMappedDocument(tx.client, spec(), legacyId, changed);
      return this.#read(tx, legacyId);
    });
  }

  async findById(id: Id): Promise<SellerOffer | null> {
    return withClient(this.ctx.pool, async (client) => {
      const [found] = await offersOf(client, [asLegacyId(id)]);
      return found ?? null;
    });
  }

  async listByRequest(purchaseRequestId: Id): Promise<SellerOffer[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM seller_offers
          WHERE purchase_request_id = (SELECT id FROM purchase_requests WHERE legacy_object_id = $1)
            AND ${LIVE}
          ORDER BY ${byId('ASC')}`,
        [purchaseRequestId],
      );
      return offersOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  async listBySeller(sellerId: Id, page: Page = {}): Promise<SellerOffer[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM seller_offers
          WHERE seller_id = (SELECT id FROM users WHERE legacy_object_id = $1) AND ${LIVE}
          ORDER BY ${byId('DESC')} LIMIT $2 OFFSET $3`,
        [sellerId, page.limit ?? DEFAULT_LIMIT, page.offset ?? 0],
      );
      return offersOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<SellerOffer> {
    const [found] = await offersOf(tx.client, [legacyId]);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}

async function offersOf(client: pg.ClientBase, legacyIds: readonly LegacyId[]): Promise<SellerOffer[]> {
  return (await readDocuments(client, spec(), legacyIds)).map((doc) => toSellerOffer(asDriverReads(doc)));
}
