import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoCategoryRepo } from '../../../src/repositories/mongo/categories.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoCategoryRepo: the category tree, each write noted for the seam', () => {
  let repo: MongoCategoryRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    await ctx.models.Category.init(); // the unique slug index
    repo = new MongoCategoryRepo(ctx);
  });

  it('creates roots and children, stores the parent as an ObjectId and lists children in order', async () => {
    const { value: root } = await expectNotedWrites(mongo.db, () =>
      repo.create({ name: 'Electronics', slug: 'electronics' }),
    );
    expect(root).toMatchObject({ name: 'Electronics', isActive: true });
    expect(root.parentId).toBeUndefined();
    const { value: phones } = await expectNotedWrites(mongo.db, () =>
      repo.create({ name: 'Phones', slug: 'phones', parentId: root.id, sortOrder: 2 }),
    );
    const laptops = await repo.create({ name: 'Laptops', slug: 'laptops', parentId: root.id, sortOrder: 1 });
    const hidden = await repo.create({
      name: 'Hidden',
      slug: 'hidden',
      parentId: root.id,
      sortOrder: 3,
      isActive: false,
    });
    expect(phones.parentId).toBe(root.id);
    const raw = await mongo.db.collection('categories').findOne({ _id: new ObjectId(phones.id) });
    // The driver's ObjectId class is not the ESM `bson` one: compare the BSON type, not the class.
    expect((raw?.parentId as { _bsontype?: string } | undefined)?._bsontype).toBe('ObjectId');

    expect((await repo.listChildren(root.id)).map((c) => c.id)).toEqual([laptops.id, phones.id, hidden.id]);
    expect((await repo.listChildren(root.id, { activeOnly: true })).map((c) => c.id)).toEqual([
      laptops.id,
      phones.id,
    ]);
    expect((await repo.listChildren(null)).map((c) => c.id)).toEqual([root.id]);
  });

  it('refuses a missing, deleted or non-id parent and a taken slug', async () => {
    await expect(repo.create({ name: 'x', slug: 'x1', parentId: hexId() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(repo.create({ name: 'x', slug: 'x2', parentId: 'not-an-id' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const gone = await repo.create({ name: 'Gone', slug: 'gone' });
    await repo.delete(gone.id);
    await expect(repo.create({ name: 'x', slug: 'x3', parentId: gone.id })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      expectNotedWrites(mongo.db, () => repo.create({ name: 'Dup', slug: 'electronics' })),
    ).rejects.toBeInstanceOf(DomainRuleError);
  });

  it('lists children whose legacy parentId is the 24-hex string, not the ObjectId', async () => {
    const parent = await repo.create({ name: 'Legacy parent', slug: 'legacy-parent' });
    const child = new ObjectId();
    await mongo.db
      .collection('categories')
      .insertOne({ _id: child, name: 'Legacy child', slug: 'legacy-child', parentId: parent.id });
    expect((await repo.listChildren(parent.id)).map((c) => c.id)).toEqual([child.toHexString()]);
  });

  it('updates the given fields only, never the parent', async () => {
    const root = await repo.create({ name: 'Books', slug: 'books' });
    const other = await repo.create({ name: 'Other', slug: 'other' });
    const { value } = await expectNotedWrites(mongo.db, () =>
      repo.update(root.id, { nameEn: 'Books', sortOrder: 5, ...({ parentId: other.id } as object) }),
    );
    expect(value).toMatchObject({ name: 'Books', nameEn: 'Books', sortOrder: 5 });
    expect(value.parentId).toBeUndefined();
    await expect(repo.update(root.id, { slug: 'other' })).rejects.toBeInstanceOf(DomainRuleError);
    await expect(repo.update(hexId(), { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('soft-deletes once: the row stays, with deletedAt, and leaves the listing', async () => {
    const root = await repo.create({ name: 'Toys', slug: 'toys' });
    const child = await repo.create({ name: 'Lego', slug: 'lego', parentId: root.id });
    expect((await expectNotedWrites(mongo.db, () => repo.delete(child.id))).value).toBe(true);
    const deleted = await repo.findById(child.id);
    expect(deleted?.deletedAt).toBeInstanceOf(Date);
    expect((await expectNotedWrites(mongo.db, () => repo.delete(child.id))).value).toBe(false);
    expect((await repo.findById(child.id))?.deletedAt).toEqual(deleted?.deletedAt);
    expect(await repo.listChildren(root.id)).toEqual([]);
    expect(await repo.delete(hexId())).toBe(false);
  });
});
