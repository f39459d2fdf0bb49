import { DomainRuleError, type Id, type Page } from '../domain/common.js';
import type { IReviewRepo, NewReview, Review } from '../domain/reviews.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { toDomain } from './toDomain.js';

const COLLECTION = 'reviews';
const DEFAULT_LIMIT = 50;

/** Reviews through Mongoose: insert-only, so the only document a write touches is the new one. */
export class MongoReviewRepo implements IReviewRepo {
  constructor(private readonly ctx: MongoContext) {}

  async create(input: NewReview): Promise<Review> {
    // The schema checks 1..5 but takes 4.5; Postgres holds an integer and the mapper rejects a fraction,
    // so the repository refuses what only one store would accept.
    if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5)
      throw new DomainRuleError(COLLECTION, null, `rating ${input.rating} is not an integer from 1 to 5`);
    const document = new this.ctx.models.Review(input);
    noteWrite(COLLECTION, document._id);
    await document.save();
    return toDomain<Review>(document.toObject());
  }

  async findById(id: Id): Promise<Review | null> {
    const found = await this.ctx.models.Review.findById(id).lean();
    return found ? toDomain<Review>(found) : null;
  }

  async listForReviewee(revieweeId: Id, page: Page = {}): Promise<Review[]> {
    const found = await this.ctx.models.Review.find({ revieweeId })
      .sort({ _id: -1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map((one) => toDomain<Review>(one));
  }
}
