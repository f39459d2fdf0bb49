import { Types } from 'mongoose';
import { NotFoundError, type Id } from '../domain/common.js';
import type { Category, CategoryFields, ICategoryRepo, NewCategory } from '../domain/categories.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { refuseDuplicate, saveUnique } from './duplicateKey.js';
import { mixedRef, toDomain } from './toDomain.js';

const COLLECTION = 'categories';

/**
 * Categories through Mongoose. `parentId` is Mixed in the legacy model, so Mongoose casts nothing:
 * a parent is stored as an ObjectId (mixedRef) and looked up in both spellings, since legacy rows
 * may hold its 24-hex string. Deletion is the legacy soft delete.
 */
export class MongoCategoryRepo implements ICategoryRepo {
  constructor(private readonly ctx: MongoContext) {}

  async create(input: NewCategory): Promise<Category> {
    const { Category } = this.ctx.models;
    const parentId = mixedRef(input.parentId);
    if (parentId !== undefined && parentId !== null) {
      const parent =
        typeof parentId === 'string' ? null : await Category.exists({ _id: parentId, deletedAt: null });
      // Postgres holds the parent as a foreign key: a child of nothing would be a row it must reject.
      if (!parent) throw new NotFoundError(COLLECTION, String(input.parentId));
    }
    const document = new Category({ ...input, parentId });
    noteWrite(COLLECTION, document._id);
    await saveUnique(COLLECTION, document);
    return toCategory(document.toObject());
  }

  async update(id: Id, fields: Partial<CategoryFields>): Promise<Category> {
    // The type already excludes them; a caller's cast must not move the tree or undelete either.
    const { parentId: _parent, deletedAt: _deleted, ...allowed } = fields as Partial<Category>;
    void _parent;
    void _deleted;
    noteWrite(COLLECTION, new Types.ObjectId(id));
    try {
      const updated = await this.ctx.models.Category.findByIdAndUpdate(
        id,
        { $set: allowed },
        { returnDocument: 'after' },
      ).lean();
      if (!updated) throw new NotFoundError(COLLECTION, id);
      return toCategory(updated);
    } catch (error) {
      refuseDuplicate(COLLECTION, id, error);
    }
  }

  async delete(id: Id): Promise<boolean> {
    noteWrite(COLLECTION, new Types.ObjectId(id));
    // Conditional on not being deleted yet: a second delete keeps the first one's time.
    const { modifiedCount } = await this.ctx.models.Category.updateOne(
      { _id: id, deletedAt: null },
      { $set: { deletedAt: new Date() } },
    );
    return modifiedCount === 1;
  }

  async findById(id: Id): Promise<Category | null> {
    const found = await this.ctx.models.Category.findById(id).lean();
    return found ? toCategory(found) : null;
  }

  async listChildren(parentId: Id | null, options: { activeOnly?: boolean } = {}): Promise<Category[]> {
    const ref = mixedRef(parentId);
    const parentFilter = typeof ref === 'object' && ref !== null ? { $in: [ref, ref.toHexString()] } : ref;
    const found = await this.ctx.models.Category.find({
      parentId: parentFilter,
      deletedAt: null,
      ...(options.activeOnly ? { isActive: { $ne: false } } : {}),
    })
      .sort({ sortOrder: 1, _id: 1 })
      .lean();
    return found.map((one) => toCategory(one));
  }
}

/** `isActive` as a hydrated legacy document (and Postgres' column default) shows it on rows older than it. */
function toCategory(document: Record<string, unknown>): Category {
  const category = toDomain<Category>(document);
  category.isActive ??= true;
  return category;
}
