import { and, eq, isNull } from 'drizzle-orm';
import { asLegacyId, type LegacyId } from '../../db/ids.js';
import { shopSettings } from '../../db/schema/index.js';
import { NotFoundError, type Id } from '../domain/common.js';
import type { IShopSettingsRepo, ShopSettings, ShopSettingsFields } from '../domain/shopSettings.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { liveParent } from './liveParent.js';
import { newIdentity } from './newIdentity.js';
import { readDomainObject } from './readDomain.js';
import { withClient } from './reads.js';
import { lockScope } from './scopeLock.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';
import { guardStamp, writeInstant } from './writeInstant.js';

const COLLECTION = 'shopsettings';

/** The fields a caller writes (ShopSettingsFields), each a column of the same name. */
const FIELDS = [
  'shopName',
  'description',
  'logoUrl',
  'isOpen',
  'autoAcceptOffers',
  'payoutAddress',
] as const satisfies readonly (keyof ShopSettingsFields)[];

/** The declared fields given; an undefined one is left as it is (upsertByKey drops undefined from $set). */
function fieldsOf(input: Partial<ShopSettingsFields>): Partial<ShopSettingsFields> {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) if (input[field] !== undefined) out[field] = input[field];
  return out as Partial<ShopSettingsFields>;
}

const live = and(isNull(shopSettings.sourceDeletedAt), isNull(shopSettings.rejectedAt));

/**
 * Shop settings with Postgres authoritative: at most one row per seller (the unique seller_id). An update
 * is ONE transaction: the writers of one seller run alone (a scope lock on the seller, which also covers a
 * seller with no settings yet), then the one document changed or created is noted and locked before its
 * row. The seller must be a live user: Postgres holds it as a foreign key.
 */
export class DrizzleShopSettingsRepo implements IShopSettingsRepo {
  constructor(private readonly ctx: PgContext) {}

  async get(sellerId: Id): Promise<ShopSettings | null> {
    return withClient(this.ctx.pool, async (client) => {
      // The seller's legacy id never changes, so one statement finds the settings' id consistently.
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT s.legacy_object_id FROM shop_settings s JOIN users u ON u.id = s.seller_id
          WHERE u.legacy_object_id = $1 AND s.source_deleted_at IS NULL AND s.rejected_at IS NULL`,
        [sellerId],
      );
      const legacyId = rows[0]?.legacy_object_id;
      return legacyId ? readDomainObject<ShopSettings>(client, COLLECTION, legacyId) : null;
    });
  }

  async update(sellerId: Id, fields: Partial<ShopSettingsFields>): Promise<ShopSettings> {
    // The key is not a field: a caller's cast must not move the settings to another seller.
    const set = fieldsOf(fields);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const seller = await liveParent(tx.client, 'users', asLegacyId(sellerId));
      if (!seller) throw new NotFoundError('users', sellerId);
      await lockScope(tx.client, COLLECTION, 'sellerId', seller);
      const [existing] = await tx.db
        .select({ legacyId: shopSettings.legacyObjectId })
        .from(shopSettings)
        .where(and(eq(shopSettings.sellerId, seller), live));
      if (existing) {
        await claimDocuments(tx.client, COLLECTION, [{ legacyId: existing.legacyId }]);
        const at = await writeInstant(tx.client);
        const updated = await tx.db
          .update(shopSettings)
          .set({ ...set, updatedAt: at, sourceUpdatedAt: at, sourceReadAt: guardStamp() })
          .where(
            and(eq(shopSettings.legacyObjectId, existing.legacyId), eq(shopSettings.sellerId, seller), live),
          )
          .returning({ id: shopSettings.id });
        if (updated.length === 0)
          throw new Error(`${COLLECTION} of seller ${sellerId}: its document changed under the locks`);
        return this.#read(tx, existing.legacyId);
      }
      const { legacyId, uuid } = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const at = await writeInstant(tx.client);
      await tx.db.insert(shopSettings).values({
        ...set,
        id: uuid,
        legacyObjectId: legacyId,
        sellerId: seller,
        createdAt: at,
        updatedAt: at,
        sourceUpdatedAt: at,
        sourceReadAt: guardStamp(),
      });
      return this.#read(tx, legacyId);
    });
  }

  /** The domain object of a document this transaction just wrote (it is live: the write succeeded). */
  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<ShopSettings> {
    const found = await readDomainObject<ShopSettings>(tx.client, COLLECTION, legacyId);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}
