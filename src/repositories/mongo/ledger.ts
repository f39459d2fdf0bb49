import { DomainRuleError, type Id, type Money, type Page } from '../domain/common.js';
import type { ILedgerRepo, LedgerEntry, NewLedgerEntry, RecordedLedgerEntry } from '../domain/ledger.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { checkedDecimal, decimal128, storedDecimal, sumDecimals } from './exactMoney.js';
import { mixedRef, toDomain } from './toDomain.js';
import { brokeUniqueIndex } from './duplicateKey.js';

const COLLECTION = 'fundsledgerentries';
/** Mongoose's name for the model's `idempotencyKey: { unique: true, sparse: true }`. */
const IDEMPOTENCY_INDEX = 'idempotencyKey_1';
const DEFAULT_LIMIT = 50;

/**
 * The funds ledger through Mongoose. Append-only: `record` is the one write, an insert, and its
 * idempotency is the sparse unique index on `idempotencyKey` (the legacy app's guard for webhooks and
 * fee inserts), so twenty concurrent records with one key leave one entry whoever wins.
 */
export class MongoLedgerRepo implements ILedgerRepo {
  constructor(private readonly ctx: MongoContext) {}

  async record(input: NewLedgerEntry): Promise<RecordedLedgerEntry> {
    const value = checkedDecimal(input.amount, COLLECTION);
    const { FundsLedgerEntry } = this.ctx.models;
    const document = new FundsLedgerEntry({
      userId: input.userId,
      type: input.type,
      amount: decimal128(value),
      currency: input.amount.currency,
      purchaseRequestId: mixedRef(input.purchaseRequestId),
      paymentId: mixedRef(input.paymentId),
      idempotencyKey: input.idempotencyKey,
      description: input.description,
      metadata: input.metadata,
    });
    noteWrite(COLLECTION, document._id);
    try {
      await document.save();
      return { entry: toLedgerEntry(document.toObject()), created: true };
    } catch (error) {
      if (input.idempotencyKey === undefined || !brokeUniqueIndex(error, IDEMPOTENCY_INDEX)) throw error;
    }
    const earlier = await this.findByIdempotencyKey(input.idempotencyKey);
    // Entries are never deleted: a key that broke the index names an entry that is still there.
    if (!earlier)
      throw new Error(`${COLLECTION}: idempotency key ${input.idempotencyKey} collided but names no entry`);
    assertSameMovement(earlier, input, value);
    return { entry: earlier, created: false };
  }

  async findById(id: Id): Promise<LedgerEntry | null> {
    const found = await this.ctx.models.FundsLedgerEntry.findById(id).lean();
    return found ? toLedgerEntry(found) : null;
  }

  async findByIdempotencyKey(key: string): Promise<LedgerEntry | null> {
    const found = await this.ctx.models.FundsLedgerEntry.findOne({ idempotencyKey: key }).lean();
    return found ? toLedgerEntry(found) : null;
  }

  async listByUser(userId: Id, page: Page = {}): Promise<LedgerEntry[]> {
    const found = await this.ctx.models.FundsLedgerEntry.find({ userId })
      .sort({ createdAt: -1, _id: -1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map(toLedgerEntry);
  }

  /**
   * Summed here, exactly, and not by `$sum`: old entries hold the amount as a double or a numeric string,
   * which `$sum` would take in binary or skip, while the migration reads them as exact decimals.
   * An amount the data policy refuses makes the balance unanswerable (StoredMoneyError), never a guess.
   */
  async balance(userId: Id, currency: string): Promise<Money> {
    const amounts: string[] = [];
    const cursor = this.ctx.models.FundsLedgerEntry.find({ userId, currency }, { amount: 1 }).lean().cursor();
    for await (const entry of cursor)
      amounts.push(
        storedDecimal(entry.amount, { collection: COLLECTION, id: String(entry._id), field: 'amount' }),
      );
    return { value: sumDecimals(amounts), currency };
  }
}

/** The stored entry as the domain speaks it: `amount` and `currency` become one Money. */
export function toLedgerEntry(document: Record<string, unknown>): LedgerEntry {
  const { amount, currency, ...rest } = document;
  const id = String(document._id);
  const value = storedDecimal(amount, { collection: COLLECTION, id, field: 'amount' });
  // A legacy entry may lack its currency (the schema never required one): it reads as ''.
  return toDomain<LedgerEntry>({
    ...rest,
    amount: { value, currency: typeof currency === 'string' ? currency : '' },
  });
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
