import { Types } from 'mongoose';
import type { Id } from '../domain/common.js';
import type { IShopSettingsRepo, ShopSettings, ShopSettingsFields } from '../domain/shopSettings.js';
import type { MongoContext } from './context.js';
import { toDomain } from './toDomain.js';
import { upsertByKey } from './upsertByKey.js';

const COLLECTION = 'shopsettings';

/** Shop settings through Mongoose: at most one document per seller, enforced by the unique `sellerId`. */
export class MongoShopSettingsRepo implements IShopSettingsRepo {
  constructor(private readonly ctx: MongoContext) {}

  async get(sellerId: Id): Promise<ShopSettings | null> {
    const found = await this.ctx.models.ShopSettings.findOne({ sellerId }).lean();
    return found ? toDomain<ShopSettings>(found) : null;
  }

  async update(sellerId: Id, fields: Partial<ShopSettingsFields>): Promise<ShopSettings> {
    // The key is not a field: a caller's cast must not move the settings to another seller.
    const { sellerId: _seller, ...set } = fields as Partial<ShopSettings>;
    void _seller;
    const key = { sellerId: new Types.ObjectId(sellerId) };
    return toDomain<ShopSettings>(await upsertByKey(this.ctx.models.ShopSettings, COLLECTION, key, set));
  }
}
