import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoShopSettingsRepo } from '../../../src/repositories/mongo/shopSettings.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoShopSettingsRepo: one shop per seller, each write noted for the seam', () => {
  let repo: MongoShopSettingsRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    await ctx.models.ShopSettings.init(); // the unique sellerId index
    repo = new MongoShopSettingsRepo(ctx);
  });

  it('the first update creates the settings, later ones change only the fields given', async () => {
    const sellerId = hexId();
    expect(await repo.get(sellerId)).toBeNull();
    const { value: created, changed } = await expectNotedWrites(mongo.db, () =>
      repo.update(sellerId, { shopName: 'Ana Store', isOpen: true }),
    );
    expect(changed).toHaveLength(1);
    expect(created).toMatchObject({ sellerId, shopName: 'Ana Store', isOpen: true });
    const raw = await mongo.db.collection('shopsettings').findOne({ _id: new ObjectId(created.id) });
    expect((raw?.sellerId as { _bsontype?: string } | undefined)?._bsontype).toBe('ObjectId');

    const { value: updated } = await expectNotedWrites(mongo.db, () =>
      repo.update(sellerId, { isOpen: false, payoutAddress: '0xabc', shopName: undefined }),
    );
    expect(updated).toMatchObject({
      id: created.id,
      sellerId,
      shopName: 'Ana Store',
      isOpen: false,
      payoutAddress: '0xabc',
    });
    expect(await repo.get(sellerId)).toMatchObject({ id: created.id, isOpen: false });
  });

  it('never moves settings to another seller', async () => {
    const sellerId = hexId();
    const other = hexId();
    await expectNotedWrites(mongo.db, () =>
      repo.update(sellerId, { ...({ sellerId: other } as object), shopName: 'Mine' }),
    );
    expect((await repo.get(sellerId))?.shopName).toBe('Mine');
    expect(await repo.get(other)).toBeNull();
  });

  it('concurrent first updates for one seller leave one document, every write noted', async () => {
    const sellerId = hexId();
    const { value } = await expectNotedWrites(mongo.db, () =>
      Promise.all(Array.from({ length: 10 }, (_, i) => repo.update(sellerId, { description: `v${i}` }))),
    );
    expect(new Set(value.map((s) => s.id)).size).toBe(1);
    expect(
      await mongo.db.collection('shopsettings').countDocuments({ sellerId: new ObjectId(sellerId) }),
    ).toBe(1);
  });
});
