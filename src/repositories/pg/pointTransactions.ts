import { ObjectId } from 'bson';
import { REGISTRY } from '../../collections/registry.js';
import { idValue } from '../../collections/unmapping.js';
import type { LegacyDoc } from '../../collections/spec.js';
import { asLegacyId, type LegacyId } from '../../db/ids.js';
import { DomainRuleError, type Id, type Page } from '../domain/common.js';
import type {
  IPointTransactionRepo,
  NewPointTransaction,
  PointTransaction,
} from '../domain/pointTransactions.js';
import { mixedRef } from '../mongo/toDomain.js';
import { insertMappedDocument, mapNewDocument } from './mappedDocuments.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { newIdentity } from './newIdentity.js';
import { readDomainObject, readDomainObjects } from './readDomain.js';
import { inReadSnapshot, withClient } from './reads.js';
import { inWriteTransaction } from './transaction.js';

import { writeInstant } from './writeInstant.js';

const COLLECTION = 'pointtransactions';
const DEFAULT_LIMIT = 50;

/**
 * Point transactions with Postgres authoritative (pg mode): an append-only journal, one insert per
 * movement, of the document Mongoose would save (createdAt, no updatedAt) mapped by the spec's own
 * `map` and written by the backfill's writers. The balance it records is the caller's, never recomputed.
 */
export class DrizzlePointTransactionRepo implements IPointTransactionRepo {
  constructor(private readonly ctx: PgContext) {}

  async record(input: NewPointTransaction): Promise<PointTransaction> {
    for (const [field, value] of [
      ['points', input.points],
      ['balanceAfter', input.balanceAfter],
    ] as const)
      if (!Number.isSafeInteger(value))
        throw new DomainRuleError(COLLECTION, null, `${field} ${value} is not an integer`);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const spec = REGISTRY.get(COLLECTION);
      const identity = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId: identity.legacyId }]);
      const at = await writeInstant(tx.client);
      const doc: LegacyDoc = { _id: new ObjectId(identity.legacyId) };
      const fields: Record<string, unknown> = {
        userId: idValue(input.userId),
        type: input.type,
        points: input.points,
        balanceAfter: input.balanceAfter,
        referenceType: input.referenceType,
        referenceId: mixedRef(input.referenceId),
        metadata: input.metadata,
      };
      for (const [key, value] of Object.entries(fields)) if (value !== undefined) doc[key] = value;
      doc.createdAt = at;
      const mapped = await mapNewDocument(tx.client, spec, identity.legacyId, doc);
      await insertMappedDocument(tx.client, spec, identity, doc, mapped);
      const found = await readDomainObject<PointTransaction>(tx.client, COLLECTION, identity.legacyId);
      if (!found) throw new Error(`${COLLECTION} ${identity.legacyId}: written but not readable`);
      return found;
    });
  }

  async findById(id: Id): Promise<PointTransaction | null> {
    return withClient(this.ctx.pool, (client) =>
      readDomainObject<PointTransaction>(client, COLLECTION, asLegacyId(id)),
    );
  }

  async listByUser(userId: Id, page: Page = {}): Promise<PointTransaction[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's `createdAt: -1, _id: -1`: a missing createdAt sorts lowest, _id's 24-hex bytewise.
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT t.legacy_object_id FROM point_transactions t JOIN users u ON u.id = t.user_id
          WHERE u.legacy_object_id = $1 AND t.source_deleted_at IS NULL AND t.rejected_at IS NULL
          ORDER BY t.created_at DESC NULLS LAST, t.legacy_object_id COLLATE "C" DESC
          LIMIT $2 OFFSET $3`,
        [userId, page.limit ?? DEFAULT_LIMIT, page.offset ?? 0],
      );
      return readDomainObjects<PointTransaction>(
        client,
        COLLECTION,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }
}
