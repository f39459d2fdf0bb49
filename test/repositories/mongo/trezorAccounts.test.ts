import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoContext } from '../../../src/repositories/mongo/context.js';
import { MongoTrezorAccountRepo } from '../../../src/repositories/mongo/trezorAccounts.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { startTestMongo, type TestMongo } from '../../support/mongo.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoTrezorAccountRepo: accounts by xpub, addresses appended at the next index atomically', () => {
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let db: Db;
  let repo: MongoTrezorAccountRepo;
  let xpubs = 0;
  const xpub = () => `xpub6test${(xpubs += 1)}`;

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    db = client.db(mongo.dbName);
    const ctx = mongoContext(connection);
    await ctx.models.TrezorAccount.init(); // the unique xpub
    repo = new MongoTrezorAccountRepo(ctx);
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('creates, relabels, finds and lists accounts, and refuses a second account for one xpub', async () => {
    const key = xpub();
    const { value: account } = await expectNotedWrites(db, () =>
      repo.create({ label: 'tron hot wallet', chain: 'tron', xpub: key, derivationPath: "m/44'/195'/0'" }),
    );
    expect(account).toMatchObject({ chain: 'tron', xpub: key, nextIndex: 0, addresses: [] });
    await expect(
      expectNotedWrites(db, () => repo.create({ chain: 'tron', xpub: key })),
    ).rejects.toBeInstanceOf(DomainRuleError);

    const { value: renamed } = await expectNotedWrites(db, () => repo.relabel(account.id, 'cold'));
    expect(renamed.label).toBe('cold');
    await expect(repo.relabel(new ObjectId().toHexString(), 'x')).rejects.toBeInstanceOf(NotFoundError);
    expect((await repo.findByXpub(key))?.id).toBe(account.id);
    expect((await repo.findById(account.id))?.label).toBe('cold');
    const second = await repo.create({ chain: 'bsc', xpub: xpub() });
    expect((await repo.list()).map((a) => a.id)).toEqual([account.id, second.id]);
    expect((await repo.list({ offset: 1 })).map((a) => a.id)).toEqual([second.id]);
  });

  it('appends 10 concurrent addresses at indexes 0..9 and leaves nextIndex at 10', async () => {
    const account = await repo.create({ chain: 'ethereum', xpub: xpub() });
    const destinationId = new ObjectId().toHexString();
    await expectNotedWrites(db, () =>
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
    await db.collection('trezoraccounts').insertOne({
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
    await expect(
      repo.appendAddress(new ObjectId().toHexString(), { deriveAddress: () => 'x' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
