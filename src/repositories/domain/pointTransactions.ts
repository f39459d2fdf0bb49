import type { POINT_TRANSACTION_TYPES } from '../../legacy/enums.js';
import type { DomainObject, Id, Page } from './common.js';

export type PointTransactionType = (typeof POINT_TRANSACTION_TYPES)[number];

/** One movement of a user's points. Append-only (no updatedAt). */
export interface PointTransaction extends DomainObject {
  userId: Id;
  type?: PointTransactionType;
  /** Signed integer. */
  points: number;
  /** The user's balance once this moved, as the caller computed it (the user's `$inc` answer). */
  balanceAfter?: number;
  /** What referenceId names (a purchase request, a review, a referral…). */
  referenceType?: string;
  referenceId?: string | null;
  metadata?: unknown;
}

export interface NewPointTransaction {
  userId: Id;
  type: PointTransactionType;
  points: number;
  balanceAfter: number;
  referenceType?: string;
  /** A 24-hex id of the referenced document, or some other string. */
  referenceId?: string | null;
  metadata?: unknown;
}

/** The points journal. It records; the balance itself is the user's `points`, moved by `$inc` (IUserRepo). */
export interface IPointTransactionRepo {
  record(input: NewPointTransaction): Promise<PointTransaction>;
  findById(id: Id): Promise<PointTransaction | null>;
  /** The user's transactions, newest first. */
  listByUser(userId: Id, page?: Page): Promise<PointTransaction[]>;
}
