import { ObjectId } from 'bson';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import type { CollectionSpec, LegacyDoc } from '../../collections/spec.js';
import { allocateDerivationIndex } from '../../db/derivationCounter.js';
import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import type {
  AllocatedDestination,
  DerivedDestination,
  DerivedDestinationStatus,
  DestinationRequest,
  IDerivedDestinationRepo,
  NewSweep,
} from '../domain/derivedDestinations.js';
import { checkedDecimalText, decimal128 } from '../mongo/exactMoney.js';
import { toDestination } from '../mongo/derivedDestinations.js';
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

import { liveParent } from './liveParent.js';
import { newIdentity } from './newIdentity.js';
import { inReadSnapshot, withClient } from './reads.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';

import { writeInstant } from './writeInstant.js';

const COLLECTION = 'deriveddestinations';
const UNIQUE_CONSTRAINT = 'uniq_destination_by_buyer_seller_chain';
/** As the Mongo repo: a quarantined destination holds funds under review; no status is a legacy active. */
const SWEEPABLE: readonly (DerivedDestinationStatus | null | undefined)[] = [
  'active',
  'sweeping',
  'swept',
  null,
  undefined,
];
const DEFAULT_LIMIT = 50;
const LIVE = `source_deleted_at IS NULL AND rejected_at IS NULL`;

const spec = (): CollectionSpec => REGISTRY.get(COLLECTION);

async function destinationsOf(
  client: pg.ClientBase,
  legacyIds: readonly LegacyId[],
): Promise<DerivedDestination[]> {
  return (await readDocuments(client, spec(), legacyIds)).map((doc) => toDestination(asDriverReads(doc)));
}

/**
 * Derived destinations with Postgres authoritative (pg mode). Reads answer the same domain objects as
 * MongoDerivedDestinationRepo (rows → document through the spec's unmap → the Mongo conversion).
 *
 * allocate is ONE transaction: the buyer's per-chain counter is taken with allocateDerivationIndex (plan
 * §4.5; its row lock queues every allocation of one (buyer, chain) until commit), the destination for
 * this seller is looked up under that lock, and only when there is none is the address derived and the
 * document's mapped row inserted. An existing destination rolls the counter back to a savepoint, so the
 * committed indexes stay consecutive. The unique constraint stays the backstop (ON CONFLICT DO NOTHING).
 */
export class DrizzleDerivedDestinationRepo implements IDerivedDestinationRepo {
  constructor(private readonly ctx: PgContext) {}

  async allocate(request: DestinationRequest): Promise<AllocatedDestination> {
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const buyerUuid = await liveParent(tx.client, 'users', asLegacyId(request.buyerId));
      // Postgres cannot hold a destination of an unknown buyer (MongoDB would).
      if (!buyerUuid) throw new NotFoundError('users', request.buyerId);
      await tx.client.query('SAVEPOINT allocate');
      const derivationIndex = await allocateDerivationIndex(tx.client, buyerUuid, request.chain);
      // Allocated in the savepoint: an answered existing destination leaves no id_map entry behind.
      const identity = await newIdentity(tx.client, COLLECTION);
      const draft: LegacyDoc = withoutUndefined({
        _id: new ObjectId(identity.legacyId),
        buyerId: new ObjectId(request.buyerId),
        sellerId: mixedRef(request.sellerId),
        chain: request.chain,
        derivationIndex,
        paymentId: mixedRef(request.paymentId),
        status: 'active',
        sweepHistory: [],
      });
      const { row: key } = await mapDocument(tx.client, spec(), draft);
      const existing = await this.#findFor(tx.client, buyerUuid, key);
      if (existing) {
        // The index goes back to the counter: nothing was allocated.
        await tx.client.query('ROLLBACK TO SAVEPOINT allocate');
        await tx.client.query('RELEASE SAVEPOINT allocate');
        return { destination: existing, created: false };
      }
      const address = await request.deriveAddress(derivationIndex);
      const { rows: taken } = await tx.client.query(`SELECT 1 FROM derived_destinations WHERE address = $1`, [
        address,
      ]);
      if (taken.length > 0)
        throw new DomainRuleError(COLLECTION, null, `address ${address} is already another destination's`);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId: identity.legacyId }]);
      const at = await writeInstant(tx.client);
      const doc = withoutUndefined({
        ...draft,
        address,
        createdAt: at,
        updatedAt: at,
      });
      const mapped = await mapDocument(tx.client, spec(), doc, [
        { parent: 'users', legacyId: request.buyerId },
      ]);
      const conflict = `ON CONFLICT ON CONSTRAINT ${UNIQUE_CONSTRAINT} DO NOTHING`;
      if (!(await insertMappedDocument(tx.client, spec(), identity, doc, mapped, conflict)))
        throw new Error(`${COLLECTION}: a destination of the same key appeared under the counter's lock`);
      await tx.client.query('RELEASE SAVEPOINT allocate');
      return { destination: await this.#read(tx, identity.legacyId), created: true };
    });
  }

  async recordSweep(id: Id, sweep: NewSweep): Promise<DerivedDestination> {
    const amount = checkedDecimalText(sweep.amount, COLLECTION, id);
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const { rows } = await tx.client.query<{ id: PgUuid }>(
        `SELECT id FROM derived_destinations WHERE legacy_object_id = $1 AND ${LIVE} FOR UPDATE`,
        [legacyId],
      );
      const [current] = await readDocuments(tx.client, spec(), [legacyId]);
      if (!rows[0] || !current) throw new NotFoundError(COLLECTION, id);
      const history = (current.sweepHistory as LegacyDoc[] | undefined) ?? [];
      // A webhook repeated: the sweep is there already.
      if (history.some((s) => s.txHash === sweep.txHash)) return toDestination(current);
      if (!SWEEPABLE.includes(current.status as DerivedDestinationStatus | null | undefined))
        throw new DomainRuleError(COLLECTION, id, `a ${String(current.status)} destination cannot be swept`);
      const at = await writeInstant(tx.client);
      const doc: LegacyDoc = {
        ...current,
        status: 'swept',
        // Mongoose's subdocument: its own `_id`.
        sweepHistory: [
          ...history,
          {
            txHash: sweep.txHash,
            amount: decimal128(amount),
            sweptAt: sweep.sweptAt ?? at,
            status: sweep.status ?? 'confirmed',
            _id: new ObjectId(),
          },
        ],
        updatedAt: at,
      };
      await rewriteMappedDocument(tx.client, spec(), legacyId, doc);
      return this.#read(tx, legacyId);
    });
  }

  async findById(id: Id): Promise<DerivedDestination | null> {
    return withClient(this.ctx.pool, async (client) => {
      const [found] = await destinationsOf(client, [asLegacyId(id)]);
      return found ?? null;
    });
  }

  async findByAddress(address: string): Promise<DerivedDestination | null> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM derived_destinations WHERE address = $1 AND ${LIVE}`,
        [address],
      );
      const [found] = await destinationsOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
      return found ?? null;
    });
  }

  async listByBuyer(buyerId: Id, page: Page = {}): Promise<DerivedDestination[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's {chain: 1, derivationIndex: 1, _id: 1}: the chain as a string (bytewise, not the
      // enum's order), then string ids before ObjectIds (BSON type order), each bytewise.
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM derived_destinations
          WHERE buyer_id = (SELECT id FROM users WHERE legacy_object_id = $1) AND ${LIVE}
          ORDER BY chain::text COLLATE "C", derivation_index,
                   (legacy_object_id ~ '^[0-9a-f]{24}$'), legacy_object_id COLLATE "C"
          OFFSET $2 LIMIT $3`,
        [buyerId, page.offset ?? 0, page.limit ?? DEFAULT_LIMIT],
      );
      return destinationsOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  /** The live destination of the unique key's columns (seller by FK and external ref, NULLs equal). */
  async #findFor(
    client: pg.ClientBase,
    buyerUuid: PgUuid,
    key: Record<string, unknown>,
  ): Promise<DerivedDestination | null> {
    const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
      `SELECT legacy_object_id FROM derived_destinations
        WHERE buyer_id = $1 AND seller_id IS NOT DISTINCT FROM $2::uuid
          AND seller_external_ref IS NOT DISTINCT FROM $3::text AND chain = $4::destination_chain`,
      [buyerUuid, key.sellerId ?? null, key.sellerExternalRef ?? null, key.chain],
    );
    const [found] = await destinationsOf(
      client,
      rows.map((r) => r.legacy_object_id),
    );
    return found ?? null;
  }

  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<DerivedDestination> {
    const [found] = await destinationsOf(tx.client, [legacyId]);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}
