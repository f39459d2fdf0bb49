import type { DomainObject, Id, Page } from './common.js';

/** One user's review of another (a buyer of the seller they bought from, mostly). */
export interface Review extends DomainObject {
  reviewerId: Id;
  /** The user reviewed. */
  revieweeId: Id;
  /** The purchase the review is about, when it names one. */
  purchaseRequestId?: Id;
  /** 1..5 on every review written through a repository; legacy rows may hold anything. */
  rating?: number;
  comment?: string;
}

export interface NewReview {
  reviewerId: Id;
  revieweeId: Id;
  purchaseRequestId?: Id;
  /** An integer from 1 to 5. */
  rating: number;
  comment?: string;
}

/** Reviews, written once and read by the user reviewed. */
export interface IReviewRepo {
  /** A rating that is not an integer from 1 to 5 is a DomainRuleError. */
  create(input: NewReview): Promise<Review>;
  findById(id: Id): Promise<Review | null>;
  /** The reviews of a user (a seller's page), newest first. @defaultValue limit 50 */
  listForReviewee(revieweeId: Id, page?: Page): Promise<Review[]>;
}
