import { describe, expect, it } from 'vitest';
import { MongoAddressRepo } from '../../../src/repositories/mongo/addresses.js';
import { NotFoundError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoAddressRepo: the legacy address writes, each noted for the seam', () => {
  let repo: MongoAddressRepo;
  const mongo = useMongoRepos(({ ctx }) => {
    repo = new MongoAddressRepo(ctx);
  });
  const userId = hexId();

  it('create, setPrimary, update and delete write what they say and note every document they touch', async () => {
    const { value: home } = await expectNotedWrites(mongo.db, () =>
      repo.create({ userId, label: 'home', city: 'Lisbon', primary: true }),
    );
    expect(home).toMatchObject({ userId, label: 'home', primary: true });
    const { value: work, changed } = await expectNotedWrites(mongo.db, () =>
      repo.create({ userId, label: 'work', primary: true }),
    );
    // The new primary demoted the old one: two documents changed, both noted.
    expect(changed).toHaveLength(2);
    expect((await repo.findById(home.id))?.primary).toBe(false);

    await expectNotedWrites(mongo.db, () => repo.setPrimary(home.id));
    const listed = await repo.listByUser(userId);
    expect(listed.map((a) => [a.label, a.primary])).toEqual([
      ['home', true],
      ['work', false],
    ]);

    const { value: moved } = await expectNotedWrites(mongo.db, () => repo.update(work.id, { city: 'Porto' }));
    expect(moved.city).toBe('Porto');
    expect((await expectNotedWrites(mongo.db, () => repo.delete(work.id))).value).toBe(true);
    expect(await repo.delete(work.id)).toBe(false);
    await expect(repo.update(work.id, { city: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('returns domain objects: hex ids, no __v, toJSON as plain data', async () => {
    const address = await repo.create({ userId, label: 'json' });
    expect(address.id).toMatch(/^[0-9a-f]{24}$/);
    expect(address).not.toHaveProperty('__v');
    expect(JSON.parse(JSON.stringify(address))).toMatchObject({ id: address.id, userId, label: 'json' });
  });
});
