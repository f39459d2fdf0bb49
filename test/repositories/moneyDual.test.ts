import { ObjectId } from 'bson';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocateDerivationIndex } from '../../src/db/derivationCounter.js';
import type { PgUuid } from '../../src/db/ids.js';
import { registerModels } from '../../src/mongo/models/index.js';
import { changeAllModes } from '../../src/modes/changeAll.js';
import { createRepositories, type Repositories } from '../../src/repositories/create.js';
import { amlFeeKey } from '../../src/repositories/domain/payments.js';
import { sweepCollections } from '../../src/sweep/deltaSweep.js';
import { expectStoresAgree } from '../support/agreement.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { mongoDecimal, prng, sleep, times } from '../support/interleaving.js';
import { normaliseDecimalText } from '../support/exactDecimal.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { createPool } from '../../src/db/client.js';
import { gapGates } from '../../src/modes/gates/index.js';

/**
 * Money and counters under concurrency in dual mode, proven in BOTH stores: MongoDB read with the
 * driver, Postgres with plain SQL on its tables (never through the code under test), and at the end of
 * each test the whole of Postgres compared with a fresh backfill of MongoDB (expectStoresAgree).
 */
describe('money concurrency in dual mode: one checkout, one ledger entry, distinct indexes, exact counters, in both stores', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let source: MongoDb;
  let direct: pg.Pool;
  let repoPool: pg.Pool;
  let repos: Repositories;
  const prefix = uniquePrefix('money-dual');
  let tag = 0;
  const unique = (label: string) => `${label}-${++tag}-${Date.now().toString(36)}`;

  const flipAll = async (to: 'mongo' | 'dual') => {
    const report = await changeAllModes(
      database.db,
      { to, actor: 'test', reason: 'money dual test' },
      { gates: gapGates(database.db) },
    );
    expect(report.stopped).toBeNull();
    repos.modes.invalidate();
  };
  const sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await direct.query<R>(text, values)).rows;
  const openGaps = async () =>
    Number(
      (await sql<{ n: string }>(`SELECT count(*) AS n FROM pg_dualwrite_gaps WHERE status <> 'resolved'`))[0]!
        .n,
    );
  const newUser = async (label: string) =>
    (await repos.users.create({ email: `${unique(label)}@example.com`, role: 'buyer' })).id;
  /** The end of every test: nothing left to drain, and Postgres equals a from-scratch backfill of MongoDB. */
  const expectSettled = async () => {
    expect(await openGaps(), 'open dual-write gaps').toBe(0);
    await expectStoresAgree(source, database.url);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    direct = createPool({ url: database.url, max: 3 });
    repoPool = createPool({ url: database.url, max: 12 });
    repos = createRepositories({
      mongoose: connection,
      pg: repoPool,
      redisUrl: TEST_REDIS_URL,
      queuePrefix: prefix,
      // Generous: these tests are about who wins, not latency. A timeout would leave a gap, and the
      // tests assert there is none.
      syncTimeoutMs: 20_000,
      gapTimeoutMs: 5_000,
    });
    await repos.modes.whenSubscribed();
    // The unique indexes (checkout, ledger idempotency, destination) decide the races: built first.
    await Promise.all(Object.values(registerModels(connection)).map((model) => model.init()));
    await flipAll('dual');
  });
  afterAll(async () => {
    await repos?.close();
    await repoPool?.end();
    await direct?.end();
    await connection?.close();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
    await deletePrefix(prefix);
  });

  /** A buyer, a seller, the buyer's open request and the seller's offer on it, all through the repositories. */
  const marketplace = async () => {
    const buyerId = await newUser('buyer');
    const sellerId = await newUser('seller');
    const request = await repos.purchaseRequests.create({
      buyerId,
      title: 'a thing',
      budget: { value: '2000', currency: 'USDT' },
    });
    const offer = await repos.sellerOffers.create({
      purchaseRequestId: request.id,
      sellerId,
      price: { value: '1250.123456789012345678', currency: 'USDT' },
    });
    await repos.purchaseRequests.addOffer(request.id, offer.id);
    return { buyerId, sellerId, requestId: request.id, offerId: offer.id };
  };

  it('20 concurrent checkouts of one buyer, request and offer: one pending payment in MongoDB and one row in Postgres', async () => {
    const { buyerId, sellerId, requestId, offerId } = await marketplace();
    const amount = { value: '1250.123456789012345678', currency: 'USDT' };
    const opened = await times(20, () =>
      repos.payments.openPendingCheckout({
        buyerId,
        purchaseRequestId: requestId,
        sellerOfferId: offerId,
        sellerId,
        amount,
        blockchain: { network: 'tron', toAddress: 'TDestination' },
      }),
    );
    const ids = new Set(opened.map((o) => o.payment.id));
    expect(ids.size, 'every call answered the same payment').toBe(1);
    expect(opened.filter((o) => o.created)).toHaveLength(1);
    const [paymentId] = [...ids] as [string];

    const inMongo = await source
      .collection('payments')
      .find({
        buyerId: new ObjectId(buyerId),
        purchaseRequestId: new ObjectId(requestId),
        sellerOfferId: new ObjectId(offerId),
        status: 'pending',
      })
      .toArray();
    expect(inMongo.map((d) => d._id.toHexString())).toEqual([paymentId]);
    expect(mongoDecimal((inMongo[0]!.amount as { value: unknown }).value)).toBe('1250.123456789012345678');

    const rows = await sql<{ id: string; amount: string; status: string; currency: string }>(
      `SELECT p.legacy_object_id AS id, p.amount::text AS amount, p.status::text AS status, p.currency
         FROM payments p
         JOIN users b ON b.id = p.buyer_id
         JOIN purchase_requests r ON r.id = p.purchase_request_id
         JOIN seller_offers o ON o.id = p.seller_offer_id
        WHERE b.legacy_object_id = $1 AND r.legacy_object_id = $2 AND o.legacy_object_id = $3
          AND p.status = 'pending' AND p.source_deleted_at IS NULL AND p.rejected_at IS NULL`,
      [buyerId, requestId, offerId],
    );
    expect(rows.map((r) => ({ ...r, amount: normaliseDecimalText(r.amount) }))).toEqual([
      { id: paymentId, amount: '1250.123456789012345678', status: 'pending', currency: 'USDT' },
    ]);
    // The 19 losers' never-saved documents left nothing behind in Postgres either.
    const byBuyer = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM payments p JOIN users b ON b.id = p.buyer_id WHERE b.legacy_object_id = $1`,
      [buyerId],
    );
    expect(byBuyer[0]!.n).toBe('1');
    await expectSettled();
  });

  it('20 concurrent ledger records with one key, then 20 concurrent confirms with an AML fee: one entry, one completion, exact in both stores', async () => {
    const { buyerId, sellerId, requestId, offerId } = await marketplace();

    // (a) One idempotency key, twenty writers.
    const key = unique('deposit');
    const recorded = await times(20, () =>
      repos.ledger.record({
        userId: buyerId,
        type: 'escrow_hold',
        amount: { value: '1250.123456789012345678', currency: 'USDT' },
        purchaseRequestId: requestId,
        idempotencyKey: key,
        description: 'escrow',
      }),
    );
    expect(new Set(recorded.map((r) => r.entry.id)).size).toBe(1);
    expect(recorded.filter((r) => r.created)).toHaveLength(1);
    const entryId = recorded[0]!.entry.id;
    const mongoEntries = await source
      .collection('fundsledgerentries')
      .find({ idempotencyKey: key })
      .toArray();
    expect(mongoEntries.map((e) => e._id.toHexString())).toEqual([entryId]);
    expect(mongoDecimal(mongoEntries[0]!.amount)).toBe('1250.123456789012345678');
    const pgEntries = await sql<{ id: string; amount: string; type: string }>(
      `SELECT legacy_object_id AS id, amount::text AS amount, type::text AS type
         FROM funds_ledger_entries WHERE idempotency_key = $1 AND source_deleted_at IS NULL`,
      [key],
    );
    expect(pgEntries.map((e) => ({ ...e, amount: normaliseDecimalText(e.amount) }))).toEqual([
      { id: entryId, amount: '1250.123456789012345678', type: 'escrow_hold' },
    ]);

    // (b) One payment, twenty webhooks confirming it with the same transaction and AML fee.
    const { payment } = await repos.payments.openPendingCheckout({
      buyerId,
      purchaseRequestId: requestId,
      sellerOfferId: offerId,
      sellerId,
      amount: { value: '1250.123456789012345678', currency: 'USDT' },
    });
    const fee = { value: '3.141592653589793238', currency: 'USDT' };
    const confirmed = await times(20, () =>
      repos.payments.confirm(payment.id, { transactionHash: '0xfeed', network: 'tron', amlFee: fee }),
    );
    expect(confirmed.every((p) => p.id === payment.id && p.status === 'completed')).toBe(true);

    const mongoPayment = await source.collection('payments').findOne({ _id: new ObjectId(payment.id) });
    expect(mongoPayment?.status).toBe('completed');
    expect(mongoDecimal((mongoPayment?.amount as { value: unknown }).value)).toBe('1250.123456789012345678');
    const mongoFees = await source
      .collection('fundsledgerentries')
      .find({ paymentId: new ObjectId(payment.id), type: 'aml_fee' })
      .toArray();
    expect(mongoFees).toHaveLength(1);
    expect(mongoFees[0]!.idempotencyKey).toBe(amlFeeKey(payment.id));
    expect(mongoDecimal(mongoFees[0]!.amount)).toBe('-3.141592653589793238');

    const pgPayment = await sql<{ status: string; amount: string; completed: boolean; tx: string | null }>(
      `SELECT status::text AS status, amount::text AS amount, completed_at IS NOT NULL AS completed,
              blockchain->>'transactionHash' AS tx
         FROM payments WHERE legacy_object_id = $1 AND source_deleted_at IS NULL`,
      [payment.id],
    );
    expect(pgPayment.map((p) => ({ ...p, amount: normaliseDecimalText(p.amount) }))).toEqual([
      { status: 'completed', amount: '1250.123456789012345678', completed: true, tx: '0xfeed' },
    ]);
    const pgFees = await sql<{ id: string; amount: string; key: string; currency: string }>(
      `SELECT f.legacy_object_id AS id, f.amount::text AS amount, f.idempotency_key AS key, f.currency
         FROM funds_ledger_entries f JOIN payments p ON p.id = f.payment_id
        WHERE p.legacy_object_id = $1 AND f.type = 'aml_fee' AND f.source_deleted_at IS NULL`,
      [payment.id],
    );
    expect(pgFees.map((f) => ({ ...f, amount: normaliseDecimalText(f.amount) }))).toEqual([
      {
        id: mongoFees[0]!._id.toHexString(),
        amount: '-3.141592653589793238',
        key: amlFeeKey(payment.id),
        currency: 'USDT',
      },
    ]);
    // The buyer's balance, exact, is the same sum in both stores.
    const pgBalance = await sql<{ sum: string }>(
      `SELECT sum(f.amount)::text AS sum FROM funds_ledger_entries f JOIN users u ON u.id = f.user_id
        WHERE u.legacy_object_id = $1 AND f.currency = 'USDT' AND f.source_deleted_at IS NULL`,
      [buyerId],
    );
    const balance = await repos.ledger.balance(buyerId, 'USDT');
    expect(balance.value).toBe('1246.98186413542255244');
    expect(normaliseDecimalText(pgBalance[0]!.sum)).toBe(balance.value);
    await expectSettled();
  });

  it('20 concurrent allocations for one buyer and chain (20 sellers): 20 distinct indexes, the same triples in Postgres', async () => {
    const buyerId = await newUser('alloc-buyer');
    const sellers = await times(20, (i) => newUser(`alloc-seller-${i}`));
    const allocated = await times(20, (i) =>
      repos.derivedDestinations.allocate({
        buyerId,
        sellerId: sellers[i]!,
        chain: 'tron',
        deriveAddress: (index) => `T-${buyerId}-${index}`,
      }),
    );
    expect(allocated.every((a) => a.created)).toBe(true);
    const indexes = allocated.map((a) => a.destination.derivationIndex);
    expect(new Set(indexes).size, 'no derivation index handed out twice').toBe(20);

    const mongoDocs = await source
      .collection('deriveddestinations')
      .find({ buyerId: new ObjectId(buyerId), chain: 'tron' })
      .toArray();
    const mongoTriples = mongoDocs
      .map((d) => `${(d.buyerId as ObjectId).toHexString()} ${String(d.chain)} ${Number(d.derivationIndex)}`)
      .sort();
    expect(mongoTriples).toHaveLength(20);
    expect(new Set(mongoTriples).size).toBe(20);
    expect(mongoTriples).toEqual(indexes.map((i) => `${buyerId} tron ${i}`).sort());

    const pgTriples = (
      await sql<{ triple: string }>(
        `SELECT u.legacy_object_id || ' ' || d.chain::text || ' ' || d.derivation_index AS triple
           FROM derived_destinations d JOIN users u ON u.id = d.buyer_id
          WHERE u.legacy_object_id = $1 AND d.chain = 'tron' AND d.source_deleted_at IS NULL`,
        [buyerId],
      )
    )
      .map((r) => r.triple)
      .sort();
    expect(pgTriples).toEqual(mongoTriples);
    // And each (seller → index) pair is the same in both stores.
    const pgPairs = await sql<{ seller: string; idx: number }>(
      `SELECT s.legacy_object_id AS seller, d.derivation_index AS idx
         FROM derived_destinations d JOIN users u ON u.id = d.buyer_id JOIN users s ON s.id = d.seller_id
        WHERE u.legacy_object_id = $1 AND d.chain = 'tron'`,
      [buyerId],
    );
    expect(Object.fromEntries(pgPairs.map((p) => [p.seller, p.idx]))).toEqual(
      Object.fromEntries(mongoDocs.map((d) => [(d.sellerId as ObjectId).toHexString(), d.derivationIndex])),
    );
    // What pg mode will allocate next for this buyer and chain: one past every index MongoDB handed
    // out in dual mode, never one of them (the same address derived twice could already hold funds).
    const client = await direct.connect();
    try {
      const [buyer] = await sql<{ id: PgUuid }>(`SELECT id FROM users WHERE legacy_object_id = $1`, [
        buyerId,
      ]);
      await client.query('BEGIN');
      expect(await allocateDerivationIndex(client, buyer!.id, 'tron')).toBe(Math.max(...indexes) + 1);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await expectSettled();
  });

  describe.each([1, 7, 42])('randomized counters with a dual → mongo → dual flip (seed %i)', (seed) => {
    it('Postgres points and referral stats equal MongoDB’s after the sweep; the stores agree', async () => {
      const random = prng(seed);
      const players = await times(3, (i) => newUser(`points-${seed}-${i}`));
      const pick = () => players[Math.floor(random() * players.length)]!;
      // Written only while in mongo mode, so no later dual write of it can hide a sweep that missed it.
      const witness = await newUser(`witness-${seed}`);
      const users = [...players, witness];
      /** Point transactions written while every collection was in mongo mode: only the sweep brings them. */
      const writtenInMongoMode: string[] = [];

      const operation = async (startAfterMs: number, inMongoMode: boolean) => {
        const kind = random();
        const userId = pick();
        const points = 1 + Math.floor(random() * 50);
        const debit = random() < 0.2;
        // Every draw above happens at call time, in call order: the seed fixes the plan, timing aside.
        await sleep(startAfterMs);
        if (kind < 0.35) {
          await repos.users.incrementPoints(userId, debit ? -points : points);
        } else if (kind < 0.7) {
          const balanceAfter = await repos.users.incrementPoints(userId, points);
          const tx = await repos.pointTransactions.record({ userId, type: 'earn', points, balanceAfter });
          if (inMongoMode) writtenInMongoMode.push(tx.id);
        } else {
          const referrer = await repos.users.rewardReferral(userId, points);
          const tx = await repos.pointTransactions.record({
            userId,
            type: 'referral_bonus',
            points,
            balanceAfter: referrer.points ?? 0,
            referenceType: 'referral',
          });
          if (inMongoMode) writtenInMongoMode.push(tx.id);
        }
      };
      const batch = (n: number, windowMs: number, inMongoMode = false) =>
        Array.from({ length: n }, () => operation(Math.floor(random() * windowMs), inMongoMode));

      // Dual: writes in flight while every collection flips to mongo under them.
      const first = batch(40, 150);
      await sleep(Math.floor(random() * 100));
      await flipAll('mongo');
      // Mongo: started after the flip, finished before the flip back. The seam follows none of these.
      await Promise.all([
        ...batch(30, 100, true),
        repos.users.incrementPoints(witness, 7),
        repos.users.rewardReferral(witness, 5),
      ]);
      // Back to dual, with writes in flight across the flip.
      const last = batch(40, 150);
      await sleep(Math.floor(random() * 100));
      await flipAll('dual');
      await Promise.all([...first, ...last]);

      expect(writtenInMongoMode.length).toBeGreaterThan(0);
      const notFollowed = await sql<{ n: string }>(
        `SELECT count(*) AS n FROM point_transactions WHERE legacy_object_id = ANY($1::text[])`,
        [writtenInMongoMode],
      );
      expect(notFollowed[0]!.n, 'writes made in mongo mode are not followed by the seam').toBe('0');
      const witnessBefore = await sql<{ points: number | null }>(
        `SELECT points FROM users WHERE legacy_object_id = $1`,
        [witness],
      );
      expect(witnessBefore).toEqual([{ points: null }]);

      const swept = await sweepCollections({ pool: direct, mongo: source });
      expect(swept.failed).toBe(0);
      expect(swept.gaps).toBe(0);

      const mongoUsers = await source
        .collection('users')
        .find({ _id: { $in: users.map((id) => new ObjectId(id)) } })
        .toArray();
      const inMongo = Object.fromEntries(
        mongoUsers.map((u) => {
          const stats = (u.referralStats ?? {}) as { totalReferred?: number; totalEarnedPoints?: number };
          return [
            u._id.toHexString(),
            {
              points: (u.points as number | undefined) ?? null,
              referred: stats.totalReferred ?? null,
              earned: stats.totalEarnedPoints ?? null,
            },
          ];
        }),
      );
      const pgUsers = await sql<{
        id: string;
        points: number | null;
        referred: number | null;
        earned: number | null;
      }>(
        `SELECT legacy_object_id AS id, points, referral_total_referred AS referred,
                referral_total_earned_points AS earned
           FROM users WHERE legacy_object_id = ANY($1::text[]) AND source_deleted_at IS NULL`,
        [users],
      );
      const inPostgres = Object.fromEntries(pgUsers.map(({ id, ...rest }) => [id, rest]));
      expect(Object.keys(inMongo)).toHaveLength(4);
      expect(inMongo[witness]).toEqual({ points: 12, referred: 1, earned: 5 });
      expect(inPostgres).toEqual(inMongo);

      // The journal: every transaction MongoDB holds for these users is in Postgres, those of mongo mode included.
      const mongoTx = (
        await source
          .collection('pointtransactions')
          .find({ userId: { $in: users.map((id) => new ObjectId(id)) } }, { projection: { _id: 1 } })
          .toArray()
      )
        .map((t) => t._id.toHexString())
        .sort();
      const pgTx = (
        await sql<{ id: string }>(
          `SELECT t.legacy_object_id AS id FROM point_transactions t JOIN users u ON u.id = t.user_id
            WHERE u.legacy_object_id = ANY($1::text[]) AND t.source_deleted_at IS NULL`,
          [users],
        )
      )
        .map((r) => r.id)
        .sort();
      expect(pgTx).toEqual(mongoTx);
      expect(pgTx).toEqual(expect.arrayContaining(writtenInMongoMode));
      await expectSettled();
    });
  });
});
