import { DomainRuleError, type Id, type Page } from '../domain/common.js';
import type {
  IPointTransactionRepo,
  NewPointTransaction,
  PointTransaction,
} from '../domain/pointTransactions.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { mixedRef, toDomain } from './toDomain.js';

const COLLECTION = 'pointtransactions';
const DEFAULT_LIMIT = 50;

/**
 * Point transactions through Mongoose: an append-only journal, one insert per movement. The balance it
 * records is the caller's (the answer of the user's `$inc`), never recomputed here: reading the last
 * balance and adding to it would race.
 */
export class MongoPointTransactionRepo implements IPointTransactionRepo {
  constructor(private readonly ctx: MongoContext) {}

  async record(input: NewPointTransaction): Promise<PointTransaction> {
    // Points are integers in both stores: Mongoose would store 12.5 as a double that Postgres refuses.
    for (const [field, value] of [
      ['points', input.points],
      ['balanceAfter', input.balanceAfter],
    ] as const)
      if (!Number.isSafeInteger(value))
        throw new DomainRuleError(COLLECTION, null, `${field} ${value} is not an integer`);
    const document = new this.ctx.models.PointTransaction({
      ...input,
      referenceId: mixedRef(input.referenceId),
    });
    noteWrite(COLLECTION, document._id);
    await document.save();
    return toDomain<PointTransaction>(document.toObject());
  }

  async findById(id: Id): Promise<PointTransaction | null> {
    const found = await this.ctx.models.PointTransaction.findById(id).lean();
    return found ? toDomain<PointTransaction>(found) : null;
  }

  async listByUser(userId: Id, page: Page = {}): Promise<PointTransaction[]> {
    const found = await this.ctx.models.PointTransaction.find({ userId })
      .sort({ createdAt: -1, _id: -1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map((one) => toDomain<PointTransaction>(one));
  }
}
