import { ObjectId } from 'bson';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import { type CollectionSpec } from '../../collections/spec.js';
import { asLegacyId, type LegacyId } from '../../db/ids.js';
import { DomainRuleError, type Id, type Money, type Page } from '../domain/common.js';
import type { ILedgerRepo, LedgerEntry, NewLedgerEntry, RecordedLedgerEntry } from '../domain/ledger.js';
import { checkedDecimal, decimal128, sumDecimals } from '../mongo/exactMoney.js';
import { toLedgerEntry } from '../mongo/ledger.js';
import { mixedRef } from '../mongo/toDomain.js';
import { insertMappedDocument, mapDocument, readDocuments, withoutUndefined } from './mappedDocuments.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { asDriverReads } from './readDomain.js';
import { newIdentity } from './newIdentity.js';
import { inReadSnapshot, withClient } from './reads.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';
import { writeInstant } from './writeInstant.js';

const COLLECTION = 'fundsledgerentries';
const DEFAULT_LIMIT = 50;
/** The conflict target of funds_ledger_entries_idempotency_key_uq: its column and its predicate. */
const IDEMPOTENCY_TARGET = `(idempotency_key) WHERE idempotency_key IS NOT NULL`;

/* ---------------------------------------------------------------------------------------------------
 * Document-level row access shared by the money repositories (this file and payments.ts): a write
 * builds the whole document MongoDB would hold and puts it through the spec's own `map` (references
 * resolved as the sync resolves them), a read goes through readStoredDocuments + `unmap` and the Mongo
 * repository's own domain conversion. The round trip is exact by construction, Mixed references
 * (FK + external ref + kind) included.
 * ------------------------------------------------------------------------------------------------- */

/* ------------------------------------------------------------------------------------------------ */

const spec = (): CollectionSpec => REGISTRY.get(COLLECTION);

async function entriesOf(client: pg.ClientBase, legacyIds: readonly LegacyId[]): Promise<LedgerEntry[]> {
  return (await readDocuments(client, spec(), legacyIds)).map((doc) => toLedgerEntry(asDriverReads(doc)));
}

async function entryByKey(client: pg.ClientBase, key: string): Promise<LedgerEntry | null> {
  const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
    `SELECT legacy_object_id FROM funds_ledger_entries
      WHERE idempotency_key = $1 AND source_deleted_at IS NULL AND rejected_at IS NULL`,
    [key],
  );
  const [found] = await entriesOf(
    client,
    rows.map((r) => r.legacy_object_id),
  );
  return found ?? null;
}

/**
 * Records a ledger entry in the caller's transaction (the confirm of a payment records its fee in its
 * own). The insert goes ON CONFLICT DO NOTHING on the partial unique index of the idempotency key: a
 * concurrent record of the same key waits for the other transaction, then skips, and the entry it
 * committed is read back (READ COMMITTED: the next statement sees it). A skipped insert is rolled back
 * to a savepoint, so the identity allocated for it (its id_map entry) does not outlive it.
 */
export async function recordLedgerEntryIn(
  tx: WriteTransaction,
  input: NewLedgerEntry,
): Promise<RecordedLedgerEntry> {
  const value = checkedDecimal(input.amount, COLLECTION);
  await tx.client.query('SAVEPOINT ledger_record');
  const identity = await newIdentity(tx.client, COLLECTION);
  await claimDocuments(tx.client, COLLECTION, [{ legacyId: identity.legacyId }]);
  const at = await writeInstant(tx.client);
  // What Mongoose would save: undefined fields left out, the amount a Decimal128, createdAt only.
  const doc = withoutUndefined({
    _id: new ObjectId(identity.legacyId),
    purchaseRequestId: mixedRef(input.purchaseRequestId),
    paymentId: mixedRef(input.paymentId),
    userId: new ObjectId(input.userId),
    type: input.type,
    amount: decimal128(value),
    currency: input.amount.currency,
    idempotencyKey: input.idempotencyKey,
    description: input.description,
    metadata: input.metadata,
    createdAt: at,
  });
  const mapped = await mapDocument(tx.client, spec(), doc, [{ parent: 'users', legacyId: input.userId }]);
  const conflict =
    input.idempotencyKey === undefined ? undefined : `ON CONFLICT ${IDEMPOTENCY_TARGET} DO NOTHING`;
  if (await insertMappedDocument(tx.client, spec(), identity, doc, mapped, conflict)) {
    await tx.client.query('RELEASE SAVEPOINT ledger_record');
    const [entry] = await entriesOf(tx.client, [identity.legacyId]);
    if (!entry) throw new Error(`${COLLECTION} ${identity.legacyId}: written but not readable`);
    return { entry, created: true };
  }
  await tx.client.query('ROLLBACK TO SAVEPOINT ledger_record');
  await tx.client.query('RELEASE SAVEPOINT ledger_record');
  const earlier = await entryByKey(tx.client, input.idempotencyKey!);
  if (!earlier)
    throw new Error(`${COLLECTION}: idempotency key ${input.idempotencyKey} collided but names no entry`);
  assertSameMovement(earlier, input, value);
  return { entry: earlier, created: false };
}

/**
 * The funds ledger with Postgres authoritative (pg mode). Append-only: `record` is the one write, one
 * transaction; its idempotency is the partial unique index on `idempotency_key` (Mongo's sparse one),
 * so twenty concurrent records with one key leave one entry whoever wins, and none fails a statement.
 */
export class DrizzleLedgerRepo implements ILedgerRepo {
  constructor(private readonly ctx: PgContext) {}

  async record(input: NewLedgerEntry): Promise<RecordedLedgerEntry> {
    checkedDecimal(input.amount, COLLECTION);
    return inWriteTransaction(this.ctx.pool, (tx) => recordLedgerEntryIn(tx, input));
  }

  async findById(id: Id): Promise<LedgerEntry | null> {
    return withClient(this.ctx.pool, async (client) => {
      const [found] = await entriesOf(client, [asLegacyId(id)]);
      return found ?? null;
    });
  }

  async findByIdempotencyKey(key: string): Promise<LedgerEntry | null> {
    return withClient(this.ctx.pool, (client) => entryByKey(client, key));
  }

  async listByUser(userId: Id, page: Page = {}): Promise<LedgerEntry[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's order: createdAt descending (a missing one last), then _id descending (bytewise).
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT e.legacy_object_id FROM funds_ledger_entries e JOIN users u ON u.id = e.user_id
          WHERE u.legacy_object_id = $1 AND e.source_deleted_at IS NULL AND e.rejected_at IS NULL
          ORDER BY e.created_at DESC NULLS LAST, e.legacy_object_id COLLATE "C" DESC
          OFFSET $2 LIMIT $3`,
        [userId, page.offset ?? 0, page.limit ?? DEFAULT_LIMIT],
      );
      return entriesOf(
        client,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  /** Summed by Postgres, exactly (numeric, read as text), and spelled as the Mongo repository spells it. */
  async balance(userId: Id, currency: string): Promise<Money> {
    const { rows } = await this.ctx.pool.query<{ total: string | null }>(
      `SELECT sum(e.amount)::text AS total FROM funds_ledger_entries e JOIN users u ON u.id = e.user_id
        WHERE u.legacy_object_id = $1 AND e.currency = $2
          AND e.source_deleted_at IS NULL AND e.rejected_at IS NULL`,
      [userId, currency],
    );
    return { value: sumDecimals([rows[0]?.total ?? '0']), currency };
  }
}

/** A key names one movement: a retry that says something else is a bug upstream, not a second write. */
function assertSameMovement(earlier: LedgerEntry, input: NewLedgerEntry, value: string): void {
  const same =
    earlier.userId === input.userId &&
    earlier.type === input.type &&
    earlier.amount.value === value &&
    earlier.amount.currency === input.amount.currency;
  if (!same)
    throw new DomainRuleError(
      COLLECTION,
      earlier.id,
      `idempotency key ${input.idempotencyKey} already records ${earlier.type} ${earlier.amount.value} ${earlier.amount.currency} for ${earlier.userId}`,
    );
}
