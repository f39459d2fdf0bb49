import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoTrezorAccountRepo } from '../../../src/repositories/mongo/trezorAccounts.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoTrezorAccountRepo: accounts by xpub, addresses appended at the next index atomically', () => {
  let repo: MongoTrezorAccountRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    await ctx.models.TrezorAccount.init(); // the unique xpub
    repo = new MongoTrezorAccountRepo(ctx);
  });
  let xpubs = 0;
  const xpub = () => `xpub6test${(xpubs += 1)}`;

  it('creates, relabels, finds and lists accounts, and refuses a second account for one xpub', async () => {
    const key = xpub();
    const { value: account } = await expectNotedWrites(mongo.db, () =>
      repo.create({ label: 'tron hot wallet', chain: 'tron', xpub: key, derivationPath: "m/44'/195'/0'" }),
    );
    expect(account).toMatchObject({ chain: 'tron', xpub: key, nextIndex: 0, addresses: [] });
    await expect(
      expectNotedWrites(mongo.db, () => repo.create({ chain: 'tron', xpub: key })),
    ).rejects.toBeInstanceOf(DomainRuleError);

    const { value: renamed } = await expectNotedWrites(mongo.db, () => repo.relabel(account.id, 'cold'));
    expect(renamed.label).toBe('cold');
    await expect(repo.relabel(hexId(), 'x')).rejects.toBeInstanceOf(NotFoundError);
    expect((await repo.findByXpub(key))?.id).toBe(account.id);
    expect((await repo.findById(account.id))?.label).toBe('cold');
    const second = await repo.create({ chain: 'bsc', xpub: xpub() });
    expect((await repo.list()).map((a) => a.id)).toEqual([account.id, second.id]);
    expect((await repo.list({ offset: 1 })).map((a) => a.id)).toEqual([second.id]);
  });

  it('appends 10 concurrent addresses at indexes 0..9 and leaves nextIndex at 10', async () => {
    const account = await repo.create({ chain: 'ethereum', xpub: xpub() });
    const destinationId = hexId();
    await expectNotedWrites(mongo.db, () =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          repo.appendAddress(account.id, {
            deriveAddress: (index) => `0x${index}`,
            destinationId: i === 0 ? destinationId : null,
          }),
        ),
      ),
    );
    const after = await repo.findById(account.id);
    expect(after?.nextIndex).toBe(10);
    const indexes = after?.addresses.map((a) => a.index).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(indexes).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(after?.addresses.every((a) => a.address === `0x${a.index}`)).toBe(true);
    expect(after?.addresses.filter((a) => a.destinationId === destinationId)).toHaveLength(1);
  });

  it('continues a legacy account without nextIndex after its highest address', async () => {
    const _id = new ObjectId();
    await mongo.db.collection('trezoraccounts').insertOne({
      _id,
      chain: 'bsc',
      xpub: xpub(),
      addresses: [
        { index: 0, address: '0xa' },
        { index: 4, address: '0xb' },
      ],
    });
    const account = await repo.appendAddress(_id.toHexString(), { deriveAddress: (index) => `0x${index}` });
    expect(account.nextIndex).toBe(6);
    expect(account.addresses.at(-1)).toMatchObject({ index: 5, address: '0x5', destinationId: null });
    await expect(repo.appendAddress(hexId(), { deriveAddress: () => 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
