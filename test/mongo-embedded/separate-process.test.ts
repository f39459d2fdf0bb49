import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Decimal128, Long, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRANGLER_BIN } from '../support/cli.js';

/**
 * `strangler mongo-embedded` in its own process, reached only over TCP by the official driver: what a
 * user or the bench sees. Embedded-only by nature (it tests the server command itself).
 */
describe.skipIf(Boolean(process.env.MONGO_URL))('strangler mongo-embedded as a separate process', () => {
  let child: ChildProcess;
  let client: MongoClient;
  let url: string;

  beforeAll(async () => {
    child = spawn(process.execPath, [STRANGLER_BIN, 'mongo-embedded', '--port', '0'], {
      env: { ...process.env, MONGO_URL: 'mongodb://127.0.0.1:1/sepproc', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    url = line.toString().trim();
    client = new MongoClient(url);
    await client.connect();
  });
  afterAll(async () => {
    await client?.close();
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  it('prints a URL with the database of MONGO_URL', () => {
    expect(url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/sepproc$/);
  });

  it('sums Decimal128 exactly and keeps Long beyond 2^53', async () => {
    const coll = client.db().collection('money');
    await coll.insertMany(
      Array.from({ length: 1000 }, (_, i) => ({
        amount: Decimal128.fromString('0.100000000000000001'),
        big: Long.fromString('9007199254740993'),
        i,
      })),
    );
    const [sum] = await coll.aggregate([{ $group: { _id: null, total: { $sum: '$amount' } } }]).toArray();
    expect((sum!.total as Decimal128).toString()).toBe('100.000000000000001000');
    const one = await coll.findOne({ i: 7 }, { promoteLongs: false });
    expect((one!.big as Long).toString()).toBe('9007199254740993');
  });

  it('enforces a partial unique index with a real E11000', async () => {
    const payments = client.db().collection('payments');
    await payments.createIndex(
      { buyerId: 1, purchaseRequestId: 1, sellerOfferId: 1, provider: 1, direction: 1 },
      {
        unique: true,
        name: 'uniq_pending_request_network_by_buyer_session_offer',
        partialFilterExpression: { provider: 'request.network', direction: 'in', status: 'pending' },
      },
    );
    const doc = {
      buyerId: 'b1',
      purchaseRequestId: 'p1',
      sellerOfferId: 'o1',
      provider: 'request.network',
      direction: 'in',
    };
    await payments.insertOne({ ...doc, status: 'pending' });
    await payments.insertOne({ ...doc, status: 'completed' }); // outside the partial filter: allowed
    const error = await payments.insertOne({ ...doc, status: 'pending' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(11000);
    expect((error as MongoServerError).keyValue).toMatchObject({
      buyerId: 'b1',
      provider: 'request.network',
    });
  });

  it('reads a 100k collection in 1,000 sequential _id ranges, every document once', async () => {
    const coll = client.db().collection('ranges');
    for (let batch = 0; batch < 100; batch += 1) {
      await coll.insertMany(Array.from({ length: 1000 }, (_, i) => ({ n: batch * 1000 + i })));
    }
    const ids = await coll.find({}, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray();
    let seen = 0;
    let previous: unknown = null;
    for (let k = 0; k < 1000; k += 1) {
      const lo = ids[k * 100]!._id;
      const hi = ids[(k + 1) * 100]?._id;
      const filter = hi ? { _id: { $gte: lo, $lt: hi } } : { _id: { $gte: lo } };
      const docs = await coll.find(filter, { sort: { _id: 1 } }).toArray();
      expect(docs).toHaveLength(100);
      if (previous)
        expect(docs[0]!._id.toHexString() > (previous as { toHexString(): string }).toHexString()).toBe(true);
      previous = docs.at(-1)!._id;
      seen += docs.length;
    }
    expect(seen).toBe(100_000);
  });
});
