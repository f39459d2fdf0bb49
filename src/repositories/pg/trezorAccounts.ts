import { ObjectId } from 'bson';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import { type CollectionSpec, type LegacyDoc } from '../../collections/spec.js';
import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import type {
  AddressRequest,
  ITrezorAccountRepo,
  NewTrezorAccount,
  TrezorAccount,
} from '../domain/trezorAccounts.js';
import { toAccount as mongoAccount } from '../mongo/trezorAccounts.js';
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

const COLLECTION = 'trezoraccounts';
const DEFAULT_LIMIT = 50;
const LIVE = `source_deleted_at IS NULL AND rejected_at IS NULL`;

const spec = (): CollectionSpec => REGISTRY.get(COLLECTION);

/**
 * The domain object MongoTrezorAccountRepo answers (its toAccount), with one difference
 * Postgres cannot avoid: trezor_account_addresses.destination_id is a plain FK, so an address's
 * `destinationId: null` (what appendAddress writes when there is none) and a dangling one (its destination
 * removed; the mapping keeps a dangling_reference anomaly, not the id) both come back as NULL, i.e.
 * absent from the unmapped document. The domain says "null when none (or when that destination was
 * removed)", so a missing one is answered as null.
 */
function toAccount(document: LegacyDoc): TrezorAccount {
  const account = mongoAccount(document);
  account.addresses = account.addresses.map((address) => ({
    ...address,
    destinationId: address.destinationId ?? null,
  }));
  return account;
}

async function accountsOf(client: pg.ClientBase, legacyIds: readonly LegacyId[]): Promise<TrezorAccount[]> {
  return (await readDocuments(client, spec(), legacyIds)).map((doc) => toAccount(asDriverReads(doc)));
}

/**
 * Trezor accounts with Postgres authoritative (pg mode). Reads answer the same domain objects as
 * MongoTrezorAccountRepo (rows → document through the spec's unmap → the Mongo conversion). Each write
 * is ONE transaction that notes and locks the account (the sync's document lock, then its row FOR
 * UPDATE), changes the document as MongoDB would, and writes it back through `spec.map` with the
 * backfill's writers: appendAddress reads `nextIndex` under that lock, so the address and the index after
 * it land together and no two appends take one index (no compare-and-set loop needed).
 */
export class DrizzleTrezorAccountRepo implements ITrezorAccountRepo {
  constructor(private readonly ctx: PgContext) {}

  async create(input: NewTrezorAccount): Promise<TrezorAccount> {
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const identity = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId: identity.legacyId }]);
      const at = await writeInstant(tx.client);
      // What Mongoose would save: the schema's fields only, a fresh cursor, no addresses.
      const doc = withoutUndefined({
        _id: new ObjectId(identity.legacyId),
        label: input.label,
        chain: input.chain,
        xpub: input.xpub,
        derivationPath: input.derivationPath,
        nextIndex: 0,
        addresses: [],
        createdAt: at,
        updatedAt: at,
      });
      const { rows } = await tx.client.query(`SELECT 1 FROM trezor_accounts WHERE xpub = $1`, [input.xpub]);
      if (rows.length > 0) throw new DomainRuleError(COLLECTION, null, 'xpub already registered');
      const mapped = await mapNewDocument(tx.client, spec(), identity.legacyId, doc);
      await insertMappedDocument(tx.client, spec(), identity, doc, mapped);
      return this.#read(tx, identity.legacyId);
    });
  }

  async relabel(id: Id, label: string): Promise<TrezorAccount> {
    return this.#rewrite(id, (doc) => {
      doc.label = label;
    });
  }

  async appendAddress(id: Id, request: AddressRequest): Promise<TrezorAccount> {
    return this.#rewrite(id, async (doc, at) => {
      const addresses = (doc.addresses as LegacyDoc[] | undefined) ?? [];
      // A legacy account without nextIndex continues after its highest address.
      const current = doc.nextIndex as number | null | undefined;
      const index =
        current ?? Math.max(-1, ...addresses.map((a) => (typeof a.index === 'number' ? a.index : -1))) + 1;
      const address = await request.deriveAddress(index);
      doc.nextIndex = index + 1;
      // Mongoose's subdocument: its own `_id`, the destination cast to an ObjectId.
      doc.addresses = [
        ...addresses,
        {
          index,
          address,
          destinationId: request.destinationId ? new ObjectId(request.destinationId) : null,
          createdAt: at,
          _id: new ObjectId(),
        },
      ];
    });
  }

  async findById(id: Id): Promise<TrezorAccount | null> {
    return withClient(this.ctx.pool, async (client) => {
      const [found] = await accountsOf(client, [asLegacyId(id)]);
      return found ?? null;
    });
  }

  async findByXpub(xpub: string): Promise<TrezorAccount | null> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM trezor_accounts WHERE xpub = $1 AND ${LIVE}`,
        [xpub],
      );
      const [found] = await accountsOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
      return found ?? null;
    });
  }

  async list(page: Page = {}): Promise<TrezorAccount[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's `_id: 1`: string ids before ObjectIds (BSON type order), each bytewise.
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM trezor_accounts WHERE ${LIVE}
          ORDER BY (legacy_object_id ~ '^[0-9a-f]{24}$'), legacy_object_id COLLATE "C"
          OFFSET $1 LIMIT $2`,
        [page.offset ?? 0, page.limit ?? DEFAULT_LIMIT],
      );
      return accountsOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  /**
   * One change of one account: claimed and row-locked, its document (as Postgres holds it) changed by
   * `edit`, stamped with the write instant, mapped again and written back (main row, address rows, its
   * mapping notes). NotFoundError when there is no live account.
   */
  async #rewrite(id: Id, edit: (doc: LegacyDoc, at: Date) => void | Promise<void>): Promise<TrezorAccount> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const { rows } = await tx.client.query<{ id: PgUuid }>(
        `SELECT id FROM trezor_accounts WHERE legacy_object_id = $1 AND ${LIVE} FOR UPDATE`,
        [legacyId],
      );
      const [doc] = await readDocuments(tx.client, spec(), [legacyId]);
      if (!rows[0] || !doc) throw new NotFoundError(COLLECTION, id);
      const at = await writeInstant(tx.client);
      await edit(doc, at);
      doc.updatedAt = at;
      await rewriteMappedDocument(tx.client, spec(), legacyId, doc);
      return this.#read(tx, legacyId);
    });
  }

  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<TrezorAccount> {
    const [found] = await accountsOf(tx.client, [legacyId]);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}
