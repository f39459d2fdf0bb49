import { and, eq, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import { retireRows } from '../../backfill/sql/retire.js';
import { addressesSpec } from '../../collections/addresses/spec.js';
import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';
import { addresses } from '../../db/schema/index.js';
import type { Address, AddressFields, IAddressRepo, NewAddress } from '../domain/addresses.js';
import { NotFoundError, type Id } from '../domain/common.js';
import { claimDocuments, type ClaimedDocument } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { liveParent } from './liveParent.js';
import { newIdentity } from './newIdentity.js';
import { readDomainObject, readDomainObjects } from './readDomain.js';
import { inReadSnapshot, withClient } from './reads.js';
import { lockScope } from './scopeLock.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';
import { guardStamp, writeInstant } from './writeInstant.js';

const COLLECTION = 'addresses';

/** The fields a caller writes (AddressFields), each a column of the same name. */
const FIELDS = [
  'label',
  'fullName',
  'phone',
  'line1',
  'line2',
  'city',
  'region',
  'postalCode',
  'country',
] as const satisfies readonly (keyof AddressFields)[];
type FieldColumns = Partial<Record<(typeof FIELDS)[number], string | null>>;

/** The declared fields given; an undefined one is left as it is (Mongoose drops undefined from $set). */
function fieldsOf(input: Partial<AddressFields>): FieldColumns {
  const out: FieldColumns = {};
  for (const field of FIELDS) if (input[field] !== undefined) out[field] = input[field];
  return out;
}

/** A row that stands for a live document, and a tombstone (its document left MongoDB, or no longer maps). */
const live = and(isNull(addresses.sourceDeletedAt), isNull(addresses.rejectedAt));
const tombstone = or(isNotNull(addresses.sourceDeletedAt), isNotNull(addresses.rejectedAt));
/** A date no stored `source_read_at` is after: what an authoritative write passes to the backfill guard. */
const AUTHORITATIVE = new Date(8.64e15);

/**
 * Addresses with Postgres authoritative (pg mode, plan Phase 1's pilot). Reads answer the same domain
 * objects as MongoAddressRepo for the same data (rows → document through the spec's unmap → toDomain).
 * Each write is ONE transaction that notes and advisory-locks every document it changes (the forward
 * sync's lock, src/sync/locks.ts) before touching its rows; the moves of the primary flag are also
 * serialized per user by a scope lock, so the partial unique index (one primary per user) never fires.
 */
export class DrizzleAddressRepo implements IAddressRepo {
  constructor(private readonly ctx: PgContext) {}

  async create(input: NewAddress): Promise<Address> {
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const userId = await liveParent(tx.client, 'users', asLegacyId(input.userId));
      if (!userId) throw new NotFoundError('users', input.userId);
      const { legacyId, uuid } = await newIdentity(tx.client, COLLECTION);
      const primary = input.primary ?? false;
      // Like MongoDB: the new document's id exists before it is written, and a primary one first
      // demotes the user's other primary (the legacy pre-save hook), here before the insert.
      let at: Date;
      if (primary) at = await this.#movePrimary(tx, userId, legacyId);
      else {
        await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
        at = await writeInstant(tx.client);
      }
      await tx.db.insert(addresses).values({
        ...fieldsOf(input),
        id: uuid,
        legacyObjectId: legacyId,
        userId,
        primary,
        createdAt: at,
        updatedAt: at,
        sourceUpdatedAt: at,
        sourceReadAt: guardStamp(),
      });
      return this.#read(tx, legacyId);
    });
  }

  async update(id: Id, fields: Partial<AddressFields>): Promise<Address> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const at = await writeInstant(tx.client);
      // `primary` is not in FIELDS: it moves only through setPrimary (and create).
      const updated = await tx.db
        .update(addresses)
        .set({ ...fieldsOf(fields), updatedAt: at, sourceUpdatedAt: at, sourceReadAt: guardStamp() })
        .where(and(eq(addresses.legacyObjectId, legacyId), live))
        .returning({ id: addresses.id });
      if (updated.length === 0) throw new NotFoundError(COLLECTION, id);
      return this.#read(tx, legacyId);
    });
  }

  async delete(id: Id): Promise<boolean> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId, op: 'delete' }]);
      const [found] = await tx.db
        .select({ primary: addresses.primary })
        .from(addresses)
        .where(and(eq(addresses.legacyObjectId, legacyId), live))
        .for('update');
      if (!found) return false;
      // The backfill's own retirement: removed when nothing references the row, else tombstoned (a
      // purchase request's delivery address). Its id_map entry stays, as retireRows keeps it: an id is
      // allocated once (plan §3), so a mirror, a late gap drain or a rollback that brings the document
      // back gets the same uuid, and references to the tombstone keep resolving to its legacy id.
      const { tombstoned } = await retireRows(tx.client, addressesSpec, [legacyId], 'deleted', AUTHORITATIVE);
      // A tombstone gives the flag up: it would otherwise hold the user's one primary slot.
      if (found.primary && tombstoned.length > 0)
        await tx.db.update(addresses).set({ primary: false }).where(eq(addresses.legacyObjectId, legacyId));
      return true;
    });
  }

  async setPrimary(id: Id): Promise<Address> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const [target] = await tx.db
        .select({ userId: addresses.userId })
        .from(addresses)
        .where(and(eq(addresses.legacyObjectId, legacyId), live));
      if (!target) throw new NotFoundError(COLLECTION, id);
      const at = await this.#movePrimary(tx, target.userId, legacyId);
      // Under the locks: a delete that committed meanwhile leaves nothing to promote.
      const [now] = await tx.db
        .select({ primary: addresses.primary })
        .from(addresses)
        .where(and(eq(addresses.legacyObjectId, legacyId), live));
      if (!now) throw new NotFoundError(COLLECTION, id);
      // Already primary: nothing to write, as Mongoose saves no unchanged document.
      if (!now.primary)
        await tx.db
          .update(addresses)
          .set({ primary: true, updatedAt: at, sourceUpdatedAt: at, sourceReadAt: guardStamp() })
          .where(eq(addresses.legacyObjectId, legacyId));
      return this.#read(tx, legacyId);
    });
  }

  async findById(id: Id): Promise<Address | null> {
    return withClient(this.ctx.pool, (client) =>
      readDomainObject<Address>(client, COLLECTION, asLegacyId(id)),
    );
  }

  async listByUser(userId: Id): Promise<Address[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's order: primary first, then by _id, whose 24-hex sorts bytewise (COLLATE "C").
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT a.legacy_object_id FROM addresses a JOIN users u ON u.id = a.user_id
          WHERE u.legacy_object_id = $1 AND a.source_deleted_at IS NULL AND a.rejected_at IS NULL
          ORDER BY a."primary" DESC, a.legacy_object_id COLLATE "C"`,
        [userId],
      );
      return readDomainObjects<Address>(
        client,
        COLLECTION,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  /**
   * Makes room for `target` as the user's one primary address, in the caller's transaction, and returns
   * the write instant (taken once every lock is held). In order:
   * 1. the user's scope lock: every move of the flag for this user runs alone, a first address and a
   *    concurrent create included (row locks cannot cover rows that do not exist yet);
   * 2. the advisory document locks of the target and of every current holder of the flag (noted, but a
   *    tombstone that still holds it from the forward path is only locked);
   * 3. the user's address rows, FOR UPDATE in id order (a writer that only locks rows queues behind);
   *    a holder that appeared meanwhile (only a writer without the scope lock, a forward sync, can add
   *    one) is locked too, and the check repeats;
   * 4. the demotion, BEFORE the caller promotes or inserts the target: the index never sees two.
   */
  async #movePrimary(tx: WriteTransaction, userId: PgUuid, target: LegacyId): Promise<Date> {
    await lockScope(tx.client, COLLECTION, 'primary', userId);
    const claimed = new Set<LegacyId>();
    let holders = await this.#holders(tx, userId, target);
    let rowsLocked = false;
    for (;;) {
      const fresh: ClaimedDocument[] = [
        ...(claimed.has(target) ? [] : [{ legacyId: target }]),
        ...holders
          .filter((h) => !claimed.has(h.legacyId))
          .map((h) => ({ legacyId: h.legacyId, op: h.live ? ('upsert' as const) : null })),
      ];
      if (fresh.length === 0 && rowsLocked) break;
      await claimDocuments(tx.client, COLLECTION, fresh);
      for (const one of fresh) claimed.add(one.legacyId);
      if (!rowsLocked) {
        await tx.client.query(`SELECT id FROM addresses WHERE user_id = $1 ORDER BY id FOR UPDATE`, [userId]);
        rowsLocked = true;
      }
      holders = await this.#holders(tx, userId, target);
    }
    const at = await writeInstant(tx.client);
    const others = and(
      eq(addresses.userId, userId),
      eq(addresses.primary, true),
      ne(addresses.legacyObjectId, target),
    );
    if (holders.some((h) => h.live))
      await tx.db
        .update(addresses)
        .set({ primary: false, updatedAt: at, sourceUpdatedAt: at, sourceReadAt: guardStamp() })
        .where(and(others, live));
    if (holders.some((h) => !h.live))
      await tx.db.update(addresses).set({ primary: false }).where(and(others, tombstone));
    return at;
  }

  /** The user's rows holding the flag, other than `target`, tombstones included. */
  async #holders(tx: WriteTransaction, userId: PgUuid, target: LegacyId) {
    return tx.db
      .select({
        legacyId: addresses.legacyObjectId,
        live: sql<boolean>`(${addresses.sourceDeletedAt} IS NULL AND ${addresses.rejectedAt} IS NULL)`,
      })
      .from(addresses)
      .where(
        and(eq(addresses.userId, userId), eq(addresses.primary, true), ne(addresses.legacyObjectId, target)),
      );
  }

  /** The domain object of a document this transaction just wrote (it is live: the write succeeded). */
  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<Address> {
    const found = await readDomainObject<Address>(tx.client, COLLECTION, legacyId);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}
