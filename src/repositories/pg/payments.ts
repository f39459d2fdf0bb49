import { ObjectId } from 'bson';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import type { CollectionSpec, LegacyDoc } from '../../collections/spec.js';
import { asLegacyId, type LegacyId } from '../../db/ids.js';
import { mixedRefKey } from '../../db/schema/refKind.js';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import {
  amlFeeKey,
  type Confirmation,
  type IPaymentRepo,
  type NewCheckout,
  type OpenedCheckout,
  type Payment,
  type PaymentStatus,
} from '../domain/payments.js';
import { checkedDecimal, decimal128, isNegative, isZero, negated } from '../mongo/exactMoney.js';
import { toPayment } from '../mongo/payments.js';
import { mixedRef } from '../mongo/toDomain.js';
import {
  insertMappedDocument,
  mapDocument,
  readDocuments,
  rewriteMappedDocument,
  withoutUndefined,
} from './mappedDocuments.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { asDriverReads } from './readDomain.js';
import { recordLedgerEntryIn } from './ledger.js';
import { newIdentity } from './newIdentity.js';
import { inReadSnapshot, withClient } from './reads.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';
import { writeInstant } from './writeInstant.js';

const COLLECTION = 'payments';
const CHECKOUT = { provider: 'request.network', direction: 'in' } as const;
const CONFIRMABLE: readonly PaymentStatus[] = ['pending', 'processing'];
/** A pending payment can leave its slot between our skipped insert and our read; then we insert again. */
const CHECKOUT_ATTEMPTS = 3;
const DEFAULT_LIMIT = 50;

const dialect = new PgDialect();
const [prKeyId, prKeyRef, offerKeyId, offerKeyRef] = [
  ...mixedRefKey('purchase_request'),
  ...mixedRefKey('seller_offer'),
].map((part) => dialect.sqlToQuery(part).sql) as [string, string, string, string];
const PENDING = `provider = 'request.network' AND direction = 'in' AND status = 'pending'`;
/**
 * The conflict target of `uniq_pending_request_network_by_buyer_session_offer` (as in
 * src/db/repositories/payments.ts): Postgres infers a partial expression index only from the same
 * expressions and predicate.
 */
const PENDING_CHECKOUT_TARGET = `(buyer_id, ${prKeyId}, ${prKeyRef}, ${offerKeyId}, ${offerKeyRef}, provider, direction) WHERE ${PENDING}`;

const spec = (): CollectionSpec => REGISTRY.get(COLLECTION);

async function paymentsOf(client: pg.ClientBase, legacyIds: readonly LegacyId[]): Promise<Payment[]> {
  return (await readDocuments(client, spec(), legacyIds)).map((doc) => toPayment(asDriverReads(doc)));
}

/**
 * Payments with Postgres authoritative (pg mode, plan Phase 4). Reads answer the same domain objects as
 * MongoPaymentRepo (rows → document through the spec's unmap → the Mongo repo's toPayment); writes
 * build the document MongoDB would hold and write the spec's own mapped row, so the Mixed references
 * (FK + external ref + kind) read back exactly. Each write is ONE transaction holding the document
 * locks of what it changes: a confirm moves the payment AND records its AML fee together, or neither.
 */
export class DrizzlePaymentRepo implements IPaymentRepo {
  constructor(private readonly ctx: PgContext) {}

  async openPendingCheckout(input: NewCheckout): Promise<OpenedCheckout> {
    const value = checkedDecimal(input.amount, COLLECTION);
    if (isNegative(value) || isZero(value))
      throw new DomainRuleError(COLLECTION, null, `amount ${value} is not positive`);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      for (let attempt = 1; ; attempt++) {
        await tx.client.query('SAVEPOINT checkout');
        const identity = await newIdentity(tx.client, COLLECTION);
        await claimDocuments(tx.client, COLLECTION, [{ legacyId: identity.legacyId }]);
        const at = await writeInstant(tx.client);
        const doc = withoutUndefined({
          _id: new ObjectId(identity.legacyId),
          purchaseRequestId: mixedRef(input.purchaseRequestId),
          sellerOfferId: mixedRef(input.sellerOfferId),
          buyerId: new ObjectId(input.buyerId),
          sellerId: mixedRef(input.sellerId),
          amount: { value: decimal128(value), currency: input.amount.currency },
          ...CHECKOUT,
          status: 'pending',
          providerPaymentId: input.providerPaymentId,
          blockchain: input.blockchain,
          metadata: input.metadata,
          createdAt: at,
          updatedAt: at,
        });
        const mapped = await mapDocument(tx.client, spec(), doc, [
          { parent: 'users', legacyId: input.buyerId },
        ]);
        const row = mapped.row;
        const conflict = `ON CONFLICT ${PENDING_CHECKOUT_TARGET} DO NOTHING`;
        if (await insertMappedDocument(tx.client, spec(), identity, doc, mapped, conflict)) {
          await tx.client.query('RELEASE SAVEPOINT checkout');
          return { payment: await this.#read(tx, identity.legacyId), created: true };
        }
        await tx.client.query('ROLLBACK TO SAVEPOINT checkout');
        await tx.client.query('RELEASE SAVEPOINT checkout');
        // The checkout already pending under the same key (the index's own expressions).
        const { rows } = await tx.client.query<{ legacy_object_id: LegacyId }>(
          `SELECT legacy_object_id FROM payments
            WHERE buyer_id = $1 AND ${prKeyId} = coalesce($2::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
              AND ${prKeyRef} = coalesce($3::text, '')
              AND ${offerKeyId} = coalesce($4::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
              AND ${offerKeyRef} = coalesce($5::text, '') AND ${PENDING}`,
          [
            row.buyerId,
            row.purchaseRequestId,
            row.purchaseRequestExternalRef,
            row.sellerOfferId,
            row.sellerOfferExternalRef,
          ],
        );
        const [pending] = await paymentsOf(
          tx.client,
          rows.map((r) => r.legacy_object_id),
        );
        if (pending) return { payment: pending, created: false };
        if (attempt >= CHECKOUT_ATTEMPTS)
          throw new Error(`${COLLECTION}: a pending checkout kept clashing but could not be read`);
      }
    });
  }

  async confirm(id: Id, confirmation: Confirmation): Promise<Payment> {
    const fee = confirmation.amlFee && {
      value: checkedDecimal(confirmation.amlFee, COLLECTION, id),
      currency: confirmation.amlFee.currency,
    };
    if (fee && isNegative(fee.value))
      throw new DomainRuleError(COLLECTION, id, `AML fee ${fee.value} is negative`);
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const current = await this.#lockDocument(tx, legacyId);
      if (!current) throw new NotFoundError(COLLECTION, id);
      let confirmed = current;
      if (current.status !== 'completed') {
        if (!CONFIRMABLE.includes(current.status as PaymentStatus))
          throw new DomainRuleError(
            COLLECTION,
            id,
            `a ${String(current.status)} payment cannot be confirmed`,
          );
        const at = await writeInstant(tx.client);
        confirmed = {
          ...current,
          status: 'completed',
          completedAt: at,
          blockchain: onChain(current.blockchain, confirmation),
          updatedAt: at,
        };
        await this.#rewrite(tx, legacyId, confirmed);
      }
      const blockchain = confirmed.blockchain as { transactionHash?: unknown } | null | undefined;
      // A completed payment is a retry of this confirm only if it names the same transaction.
      if (blockchain?.transactionHash !== confirmation.transactionHash)
        throw new DomainRuleError(
          COLLECTION,
          id,
          `is ${String(confirmed.status)}${blockchain?.transactionHash ? ` by transaction ${String(blockchain.transactionHash)}` : ''}`,
        );
      const payment = toPayment(confirmed);
      // In the SAME transaction: a fee that cannot be recorded undoes the confirm (plan §6 phase 4).
      if (fee && !isZero(fee.value))
        await recordLedgerEntryIn(tx, {
          userId: payment.buyerId,
          type: 'aml_fee',
          // The buyer pays it: a debit, negative as every debit in the ledger.
          amount: { value: negated(fee.value), currency: fee.currency },
          paymentId: id,
          purchaseRequestId: payment.purchaseRequestId,
          idempotencyKey: amlFeeKey(id),
          description: 'AML fee',
        });
      return this.#read(tx, legacyId);
    });
  }

  async refund(id: Id): Promise<Payment> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const current = await this.#lockDocument(tx, legacyId);
      if (!current) throw new NotFoundError(COLLECTION, id);
      if (current.status === 'completed' && current.isRefunded !== true) {
        const at = await writeInstant(tx.client);
        await this.#rewrite(tx, legacyId, {
          ...current,
          status: 'refunded',
          isRefunded: true,
          updatedAt: at,
        });
        return this.#read(tx, legacyId);
      }
      // A repeated refund (a retried request, a second webhook) finds the work done.
      if (current.status === 'refunded') return toPayment(current);
      throw new DomainRuleError(COLLECTION, id, `a ${String(current.status)} payment cannot be refunded`);
    });
  }

  async findById(id: Id): Promise<Payment | null> {
    return withClient(this.ctx.pool, async (client) => {
      const [found] = await paymentsOf(client, [asLegacyId(id)]);
      return found ?? null;
    });
  }

  async findByProviderPaymentId(providerPaymentId: string): Promise<Payment | null> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM payments
          WHERE provider_payment_id = $1 AND source_deleted_at IS NULL AND rejected_at IS NULL
          ORDER BY legacy_object_id COLLATE "C" DESC LIMIT 1`,
        [providerPaymentId],
      );
      const [found] = await paymentsOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
      return found ?? null;
    });
  }

  async listByBuyer(buyerId: Id, page: Page = {}): Promise<Payment[]> {
    return this.#list(`buyer_id = (SELECT id FROM users WHERE legacy_object_id = $1)`, buyerId, page);
  }

  async listByStatus(status: PaymentStatus, page: Page = {}): Promise<Payment[]> {
    return this.#list(`status = $1::payment_status`, status, page);
  }

  async #list(filter: string, parameter: string, page: Page): Promise<Payment[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's order: createdAt descending (a missing one last), then _id descending (bytewise).
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM payments
          WHERE ${filter} AND source_deleted_at IS NULL AND rejected_at IS NULL
          ORDER BY created_at DESC NULLS LAST, legacy_object_id COLLATE "C" DESC
          OFFSET $2 LIMIT $3`,
        [parameter, page.offset ?? 0, page.limit ?? DEFAULT_LIMIT],
      );
      return paymentsOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  /**
   * Claims the payment (noted, the sync's document lock), then locks its row and reads its document
   * under that lock: concurrent writers of one payment run one after the other. Null when absent.
   */
  async #lockDocument(tx: WriteTransaction, legacyId: LegacyId): Promise<LegacyDoc | null> {
    await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
    const { rows } = await tx.client.query(
      `SELECT id FROM payments
        WHERE legacy_object_id = $1 AND source_deleted_at IS NULL AND rejected_at IS NULL FOR UPDATE`,
      [legacyId],
    );
    if (rows.length === 0) return null;
    const [doc] = await readDocuments(tx.client, spec(), [legacyId]);
    return doc ?? null;
  }

  /** Writes the changed document back as the forward sync would (its references resolved as it would). */
  async #rewrite(tx: WriteTransaction, legacyId: LegacyId, doc: LegacyDoc): Promise<void> {
    await rewriteMappedDocument(tx.client, spec(), legacyId, doc);
  }

  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<Payment> {
    const [found] = await paymentsOf(tx.client, [legacyId]);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}

/**
 * The on-chain sub-document after a confirmation, as MongoDB's dotted `$set` leaves it: the given
 * fields set (the others keep their value); a missing or non-object `blockchain` is replaced whole.
 */
function onChain(current: unknown, confirmation: Confirmation): Record<string, unknown> {
  const { amlFee: _fee, ...fields } = confirmation;
  void _fee;
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  if (current === null || typeof current !== 'object') return given;
  return { ...(current as Record<string, unknown>), ...given };
}
