import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoContext } from '../../../src/repositories/mongo/context.js';
import { MongoAddressRepo } from '../../../src/repositories/mongo/addresses.js';
import { NotFoundError } from '../../../src/repositories/domain/common.js';
import { startTestMongo, type TestMongo } from '../../support/mongo.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoAddressRepo: the legacy address writes, each noted for the seam', () => {
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let db: Db;
  let repo: MongoAddressRepo;
  const userId = new ObjectId().toHexString();

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    db = client.db(mongo.dbName);
    repo = new MongoAddressRepo(mongoContext(connection));
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('create, setPrimary, update and delete write what they say and note every document they touch', async () => {
    const { value: home } = await expectNotedWrites(db, () =>
      repo.create({ userId, label: 'home', city: 'Lisbon', primary: true }),
    );
    expect(home).toMatchObject({ userId, label: 'home', primary: true });
    const { value: work, changed } = await expectNotedWrites(db, () =>
      repo.create({ userId, label: 'work', primary: true }),
    );
    // The new primary demoted the old one: two documents changed, both noted.
    expect(changed).toHaveLength(2);
    expect((await repo.findById(home.id))?.primary).toBe(false);

    await expectNotedWrites(db, () => repo.setPrimary(home.id));
    const listed = await repo.listByUser(userId);
    expect(listed.map((a) => [a.label, a.primary])).toEqual([
      ['home', true],
      ['work', false],
    ]);

    const { value: moved } = await expectNotedWrites(db, () => repo.update(work.id, { city: 'Porto' }));
    expect(moved.city).toBe('Porto');
    expect((await expectNotedWrites(db, () => repo.delete(work.id))).value).toBe(true);
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
