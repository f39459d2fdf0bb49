import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';
import { reviews } from '../../db/schema/index.js';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import type { IReviewRepo, NewReview, Review } from '../domain/reviews.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { liveParent } from './liveParent.js';
import { newIdentity } from './newIdentity.js';
import { readDomainObject, readDomainObjects } from './readDomain.js';
import { inReadSnapshot, withClient } from './reads.js';
import { inWriteTransaction } from './transaction.js';
import { guardStamp, writeInstant } from './writeInstant.js';

const COLLECTION = 'reviews';
const DEFAULT_LIMIT = 50;

/**
 * Reviews with Postgres authoritative: insert-only, so a write notes and locks only the new document.
 * The users and the purchase request a review names must be live rows (Postgres holds them as foreign
 * keys): a missing one is a NotFoundError.
 */
export class DrizzleReviewRepo implements IReviewRepo {
  constructor(private readonly ctx: PgContext) {}

  async create(input: NewReview): Promise<Review> {
    // As MongoReviewRepo: Postgres holds an integer 1..5, so a fraction is refused before any write.
    if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5)
      throw new DomainRuleError(COLLECTION, null, `rating ${input.rating} is not an integer from 1 to 5`);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const parent = async (collection: string, id: Id): Promise<PgUuid> => {
        const uuid = await liveParent(tx.client, collection, asLegacyId(id));
        if (!uuid) throw new NotFoundError(collection, id);
        return uuid;
      };
      const reviewerId = await parent('users', input.reviewerId);
      const revieweeId = await parent('users', input.revieweeId);
      const purchaseRequestId =
        input.purchaseRequestId === undefined
          ? null
          : await parent('purchaserequests', input.purchaseRequestId);
      const { legacyId, uuid } = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const at = await writeInstant(tx.client);
      await tx.db.insert(reviews).values({
        id: uuid,
        legacyObjectId: legacyId,
        reviewerId,
        revieweeId,
        purchaseRequestId,
        rating: input.rating,
        ...(input.comment === undefined ? {} : { comment: input.comment }),
        createdAt: at,
        updatedAt: at,
        sourceUpdatedAt: at,
        sourceReadAt: guardStamp(),
      });
      const found = await readDomainObject<Review>(tx.client, COLLECTION, legacyId);
      if (!found)
        throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
      return found;
    });
  }

  async findById(id: Id): Promise<Review | null> {
    return withClient(this.ctx.pool, (client) =>
      readDomainObject<Review>(client, COLLECTION, asLegacyId(id)),
    );
  }

  async listForReviewee(revieweeId: Id, page: Page = {}): Promise<Review[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's order: _id descending, whose 24-hex sorts bytewise (COLLATE "C"). A limit of 0 is
      // MongoDB's "no limit".
      const limit = page.limit ?? DEFAULT_LIMIT;
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT r.legacy_object_id FROM reviews r JOIN users u ON u.id = r.reviewee_id
          WHERE u.legacy_object_id = $1 AND r.source_deleted_at IS NULL AND r.rejected_at IS NULL
          ORDER BY r.legacy_object_id COLLATE "C" DESC
          OFFSET $2 LIMIT $3`,
        [revieweeId, page.offset ?? 0, limit === 0 ? null : Math.abs(limit)],
      );
      return readDomainObjects<Review>(
        client,
        COLLECTION,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }
}
