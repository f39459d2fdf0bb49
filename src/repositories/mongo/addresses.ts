import { Types } from 'mongoose';
import { NotFoundError, type Id } from '../domain/common.js';
import type { Address, AddressFields, IAddressRepo, NewAddress } from '../domain/addresses.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { toDomain } from './toDomain.js';

const COLLECTION = 'addresses';

/**
 * Addresses through Mongoose, as the legacy app writes them: saving a primary address unsets the
 * user's others (the schema's pre-save hook), which is not atomic in MongoDB. Every document a method
 * is about to write is noted first (noteWrite), so the dual-write seam can follow it into Postgres.
 */
export class MongoAddressRepo implements IAddressRepo {
  constructor(private readonly ctx: MongoContext) {}

  async create(input: NewAddress): Promise<Address> {
    const { Address } = this.ctx.models;
    const document = new Address({ ...input, primary: input.primary ?? false });
    if (document.primary) await this.#noteOtherPrimaries(input.userId, document._id);
    noteWrite(COLLECTION, document._id);
    await document.save();
    return toDomain<Address>(document.toObject());
  }

  async update(id: Id, fields: Partial<AddressFields>): Promise<Address> {
    const { primary: _ignored, ...allowed } = fields as Partial<AddressFields> & { primary?: unknown };
    void _ignored;
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const updated = await this.ctx.models.Address.findByIdAndUpdate(
      id,
      { $set: allowed },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw new NotFoundError(COLLECTION, id);
    return toDomain<Address>(updated);
  }

  async delete(id: Id): Promise<boolean> {
    noteWrite(COLLECTION, new Types.ObjectId(id), 'delete');
    const { deletedCount } = await this.ctx.models.Address.deleteOne({ _id: id });
    return deletedCount === 1;
  }

  async setPrimary(id: Id): Promise<Address> {
    const { Address } = this.ctx.models;
    const document = await Address.findById(id);
    if (!document) throw new NotFoundError(COLLECTION, id);
    await this.#noteOtherPrimaries(String(document.userId), document._id);
    noteWrite(COLLECTION, document._id);
    document.primary = true;
    await document.save();
    return toDomain<Address>(document.toObject());
  }

  async findById(id: Id): Promise<Address | null> {
    const found = await this.ctx.models.Address.findById(id).lean();
    return found ? toDomain<Address>(found) : null;
  }

  async listByUser(userId: Id): Promise<Address[]> {
    const found = await this.ctx.models.Address.find({ userId }).sort({ primary: -1, _id: 1 }).lean();
    return found.map((one) => toDomain<Address>(one));
  }

  /** The pre-save hook will unset these: they are written too, and Postgres must see them demoted. */
  async #noteOtherPrimaries(userId: Id, except: Types.ObjectId): Promise<void> {
    const others = await this.ctx.models.Address.find(
      { userId, _id: { $ne: except }, primary: true },
      { _id: 1 },
    ).lean();
    for (const other of others) noteWrite(COLLECTION, other._id);
  }
}
