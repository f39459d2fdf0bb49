import { ObjectId } from 'bson';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { registerModels } from '../../src/mongo/models/index.js';
import { changeAllModes } from '../../src/modes/changeAll.js';
import { createRepositories, type Repositories } from '../../src/repositories/create.js';
import { amlFeeKey } from '../../src/repositories/domain/payments.js';
import { expectStoresAgree, moneySums, mongoMoneySums } from '../support/agreement.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { mongoDecimal, prng, sleep, times } from '../support/interleaving.js';
import { normaliseDecimalText } from '../support/exactDecimal.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { recordingPool } from '../support/pgRepos.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';
import { gapGates } from '../../src/modes/gates/index.js';

const SETTLE_MS = 300;
const PRICE = '1250.123456789012345678';
const FEE = '3.141592653589793238';

const oids = (ids: readonly string[]) => ids.map((id) => new ObjectId(id));

/**
 * What a half-done transaction would leave visible, counted in ONE statement (one READ COMMITTED
 * snapshot) over the given payments: a completion without its fee or a fee without its completion, a
 * doubled fee, a disputed request without its dispute or its payment's hold, a dispute or a hold
 * without the rest of the raise.
 */
const HALVES = `
  WITH ours AS (
    SELECT id, legacy_object_id, status::text AS status, escrow_state::text AS escrow, purchase_request_id
      FROM payments WHERE legacy_object_id = ANY($1::text[])
  ), fees AS (
    SELECT o.id, count(f.id) AS n
      FROM ours o LEFT JOIN funds_ledger_entries f
        ON f.payment_id = o.id AND f.type = 'aml_fee' AND f.source_deleted_at IS NULL
       AND f.idempotency_key = 'aml_fee:payment:' || o.legacy_object_id
     GROUP BY o.id
  ), raised AS (
    SELECT o.id, r.status::text AS request, count(d.id) AS disputes, o.escrow
      FROM ours o JOIN purchase_requests r ON r.id = o.purchase_request_id
      LEFT JOIN disputes d ON d.payment_id = o.id AND d.purchase_request_id = r.id AND d.source_deleted_at IS NULL
     GROUP BY o.id, r.status, o.escrow
  )
  SELECT
    (SELECT count(*) FROM ours o JOIN fees USING (id) WHERE o.status = 'completed' AND fees.n <> 1)::int AS "completedWithoutOneFee",
    (SELECT count(*) FROM ours o JOIN fees USING (id) WHERE o.status <> 'completed' AND fees.n > 0)::int AS "feeWithoutCompletion",
    (SELECT count(*) FROM raised WHERE request = 'disputed' AND (disputes <> 1 OR escrow IS DISTINCT FROM 'funded'))::int AS "disputedWithoutDisputeOrHold",
    (SELECT count(*) FROM raised WHERE request <> 'disputed' AND (disputes > 0 OR escrow IS DISTINCT FROM 'releasable'))::int AS "disputeOrHoldWithoutRaise",
    (SELECT count(*) FROM ours WHERE status = 'completed')::int AS completed,
    (SELECT count(*) FROM raised WHERE request = 'disputed')::int AS disputed`;

interface HalvesSample {
  completedWithoutOneFee: number;
  feeWithoutCompletion: number;
  disputedWithoutDisputeOrHold: number;
  disputeOrHoldWithoutRaise: number;
  completed: number;
  disputed: number;
}

/**
 * Money and counters under concurrency in pg mode, through createRepositories: every call commits in
 * Postgres first (one transaction per flow) and is then mirrored into MongoDB. Proven in BOTH stores:
 * Postgres with plain SQL on its tables, MongoDB with the driver (never through the code under test),
 * and after each test the whole of Postgres compared with a fresh backfill of MongoDB, money sums exact.
 */
describe('money concurrency in pg mode: Postgres decides every race, MongoDB mirrors the outcome', () => {
  let database: TestDatabase;
  let mongo: TestMongo;
  let connection: Connection;
  let client: MongoClient;
  let source: MongoDb;
  let direct: pg.Pool;
  let recorded: { pool: pg.Pool; failures: string[] };
  let repos: Repositories;
  const prefix = uniquePrefix('money-pg');
  let tag = 0;
  const unique = (label: string) => `${label}-${++tag}-${Date.now().toString(36)}`;

  const sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await direct.query<R>(text, values)).rows;
  const moveAll = async (to: 'dual' | 'pg') => {
    const report = await changeAllModes(
      database.db,
      { to, actor: 'test', reason: 'money pg test' },
      { gates: gapGates(database.db) },
    );
    expect(report.stopped).toBeNull();
    repos.modes.invalidate();
  };
  /** The statements Postgres refused while `fn` ran (SQLSTATE and constraint, from recordingPool). */
  const refusalsOf = async <T>(fn: () => Promise<T>): Promise<{ value: T; refused: string[] }> => {
    const from = recorded.failures.length;
    const value = await fn();
    return { value, refused: recorded.failures.slice(from) };
  };
  const newUser = async (label: string) =>
    (await repos.users.create({ email: `${unique(label)}@example.com`, role: 'buyer' })).id;
  /** The end of every test: no gap either way, the stores agree, and their money sums are equal to the digit. */
  const expectSettled = async () => {
    const [gaps] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_dualwrite_gaps WHERE status <> 'resolved'`,
    );
    expect(gaps!.n, 'open gaps (a mirror that did not land)').toBe(0);
    await expectStoresAgree(source, database.url);
    expect(await mongoMoneySums(source, database.url)).toEqual(await moneySums(database.url));
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    source = client.db(mongo.dbName);
    direct = createPool({ url: database.url, max: 3 });
    recorded = recordingPool(database.url, 12);
    repos = createRepositories({
      mongoose: connection,
      pg: recorded.pool,
      redisUrl: TEST_REDIS_URL,
      queuePrefix: prefix,
      modeTtlMs: 100,
      settleMs: SETTLE_MS,
      // Generous: these tests are about who wins, not latency. A mirror timing out would leave a
      // reverse gap, and the tests assert there is none.
      mirrorTimeoutMs: 20_000,
      gapTimeoutMs: 5_000,
      syncTimeoutMs: 20_000,
      log: createLogger('silent'),
    });
    await repos.modes.whenSubscribed();
    // MongoDB's unique indexes exist as in production: a mirror must satisfy them too.
    await Promise.all(Object.values(registerModels(connection)).map((model) => model.init()));
    await moveAll('dual');
    await moveAll('pg');
    await sleep(SETTLE_MS + 100);
    repos.modes.invalidate();
    expect(await repos.modes.routing('payments')).toBe('pg');
    expect(await repos.modes.routing('disputes')).toBe('pg');
  });
  afterAll(async () => {
    await repos?.close();
    await recorded?.pool.end();
    await direct?.end();
    await connection?.close();
    await client?.close();
    await mongo?.stop();
    await database?.drop();
    await deletePrefix(prefix);
  });

  /** A buyer, a seller, the buyer's request and the seller's offer on it; `accepted` moves it to in_progress. */
  const marketplace = async (accepted = false) => {
    const [buyerId, sellerId] = await Promise.all([newUser('buyer'), newUser('seller')]);
    const request = await repos.purchaseRequests.create({
      buyerId,
      title: 'a thing',
      budget: { value: '2000', currency: 'USDT' },
    });
    const offer = await repos.sellerOffers.create({
      purchaseRequestId: request.id,
      sellerId,
      price: { value: PRICE, currency: 'USDT' },
    });
    await repos.purchaseRequests.addOffer(request.id, offer.id);
    if (accepted) await repos.purchaseRequests.acceptOffer(request.id, offer.id);
    return { buyerId, sellerId, requestId: request.id, offerId: offer.id };
  };
  const checkout = (m: Awaited<ReturnType<typeof marketplace>>) =>
    repos.payments.openPendingCheckout({
      buyerId: m.buyerId,
      purchaseRequestId: m.requestId,
      sellerOfferId: m.offerId,
      sellerId: m.sellerId,
      amount: { value: PRICE, currency: 'USDT' },
      blockchain: { network: 'tron', toAddress: 'TDestination' },
    });

  it('20 concurrent checkouts of one buyer, request and offer: one pending row, one id for all, one mirror', async () => {
    const m = await marketplace();
    const { value: opened, refused } = await refusalsOf(() => times(20, () => checkout(m)));
    const ids = new Set(opened.map((o) => o.payment.id));
    expect(ids.size, 'every caller answered the same payment').toBe(1);
    expect(opened.filter((o) => o.created)).toHaveLength(1);
    // The partial unique index decided the race through ON CONFLICT: no statement was refused.
    expect(refused).toEqual([]);
    const [paymentId] = [...ids] as [string];

    const rows = await sql<{ id: string; amount: string; status: string }>(
      `SELECT p.legacy_object_id AS id, p.amount::text AS amount, p.status::text AS status
         FROM payments p JOIN users b ON b.id = p.buyer_id
        WHERE b.legacy_object_id = $1`,
      [m.buyerId],
    );
    expect(rows.map((r) => ({ ...r, amount: normaliseDecimalText(r.amount) }))).toEqual([
      { id: paymentId, amount: PRICE, status: 'pending' },
    ]);
    // The 19 losers' identities were rolled back with their savepoint: no id_map entry outlives them.
    const [orphans] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM id_map i
        WHERE i.collection = 'payments'
          AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.legacy_object_id = i.legacy_object_id)`,
    );
    expect(orphans!.n).toBe(0);

    const inMongo = await source
      .collection('payments')
      .find({ buyerId: new ObjectId(m.buyerId) })
      .toArray();
    expect(inMongo.map((d) => [d._id.toHexString(), d.status])).toEqual([[paymentId, 'pending']]);
    expect((inMongo[0]!.purchaseRequestId as ObjectId).toHexString()).toBe(m.requestId);
    expect((inMongo[0]!.sellerOfferId as ObjectId).toHexString()).toBe(m.offerId);
    expect(mongoDecimal((inMongo[0]!.amount as { value: unknown }).value)).toBe(PRICE);
    await expectSettled();
  });

  it('20 concurrent ledger records with one idempotency key: one row, one document, one answer', async () => {
    const { buyerId, requestId } = await marketplace();
    const key = unique('deposit');
    const { value: results, refused } = await refusalsOf(() =>
      times(20, () =>
        repos.ledger.record({
          userId: buyerId,
          type: 'escrow_hold',
          amount: { value: PRICE, currency: 'USDT' },
          purchaseRequestId: requestId,
          idempotencyKey: key,
          description: 'escrow',
        }),
      ),
    );
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(refused, 'ON CONFLICT on the partial unique index decided it').toEqual([]);
    const entryId = results[0]!.entry.id;

    const rows = await sql<{ id: string; amount: string; type: string; user: string }>(
      `SELECT f.legacy_object_id AS id, f.amount::text AS amount, f.type::text AS type, u.legacy_object_id AS user
         FROM funds_ledger_entries f JOIN users u ON u.id = f.user_id WHERE f.idempotency_key = $1`,
      [key],
    );
    expect(rows.map((r) => ({ ...r, amount: normaliseDecimalText(r.amount) }))).toEqual([
      { id: entryId, amount: PRICE, type: 'escrow_hold', user: buyerId },
    ]);
    const docs = await source.collection('fundsledgerentries').find({ idempotencyKey: key }).toArray();
    expect(docs.map((d) => d._id.toHexString())).toEqual([entryId]);
    expect(mongoDecimal(docs[0]!.amount)).toBe(PRICE);
    expect((docs[0]!.userId as ObjectId).toHexString()).toBe(buyerId);
    await expectSettled();
  });

  it('20 concurrent allocations for one buyer and chain: indexes 0..19, the same triples in both stores, the counter at 20', async () => {
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
    const indexes = allocated.map((a) => a.destination.derivationIndex).sort((a, b) => a - b);
    expect(indexes, 'gap-free, none handed out twice').toEqual(Array.from({ length: 20 }, (_, i) => i));
    const answered = allocated.map(
      (a) => `${sellers.indexOf(a.destination.sellerId!)}:${a.destination.derivationIndex}`,
    );

    const pgRows = await sql<{ seller: string; idx: number; address: string }>(
      `SELECT s.legacy_object_id AS seller, d.derivation_index AS idx, d.address
         FROM derived_destinations d JOIN users u ON u.id = d.buyer_id JOIN users s ON s.id = d.seller_id
        WHERE u.legacy_object_id = $1 AND d.chain = 'tron' AND d.source_deleted_at IS NULL`,
      [buyerId],
    );
    const mongoDocs = await source
      .collection('deriveddestinations')
      .find({ buyerId: new ObjectId(buyerId), chain: 'tron' })
      .toArray();
    const pgTriples = pgRows.map((r) => `${r.seller} ${r.idx} ${r.address}`).sort();
    const mongoTriples = mongoDocs
      .map(
        (d) => `${(d.sellerId as ObjectId).toHexString()} ${Number(d.derivationIndex)} ${String(d.address)}`,
      )
      .sort();
    expect(pgTriples).toHaveLength(20);
    expect(mongoTriples).toEqual(pgTriples);
    expect(pgRows.map((r) => `${sellers.indexOf(r.seller)}:${r.idx}`).sort()).toEqual(answered.sort());
    expect(pgRows.every((r) => r.address === `T-${buyerId}-${r.idx}`)).toBe(true);

    const counters = await sql<{ next: number }>(
      `SELECT c.next_index AS next FROM derivation_counters c JOIN users u ON u.id = c.buyer_id
        WHERE u.legacy_object_id = $1 AND c.chain = 'tron'`,
      [buyerId],
    );
    expect(counters).toEqual([{ next: 20 }]);
    await expectSettled();
  });

  /**
   * `pairs` payments, each pending with a `releasable` escrow on an accepted request; then for each, a
   * dispute raise and a confirm with an AML fee race (start offsets drawn from `seed`), plus `solo`
   * confirms of other payments, while a reader samples HALVES in a loop.
   */
  const raceDisputesAndConfirms = async (seed: number, pairs: number, solo = 0) => {
    const random = prng(seed);
    const setups = await times(pairs + solo, async () => {
      const m = await marketplace(true);
      const { payment } = await checkout(m);
      return { ...m, paymentId: payment.id };
    });
    const all = setups.map((s) => s.paymentId);
    // The escrow state no repository call sets (the legacy payout service does), put in both stores alike.
    await sql(`UPDATE payments SET escrow_state = 'releasable' WHERE legacy_object_id = ANY($1::text[])`, [
      all,
    ]);
    await source
      .collection('payments')
      .updateMany({ _id: { $in: oids(all) } }, { $set: { escrowState: 'releasable' } });

    const samples: HalvesSample[] = [];
    let racing = true;
    const reader = (async () => {
      while (racing) samples.push((await sql<HalvesSample>(HALVES, [all]))[0]!);
      samples.push((await sql<HalvesSample>(HALVES, [all]))[0]!);
    })();
    const fee = { value: FEE, currency: 'USDT' };
    const confirm = (paymentId: string, after: number) =>
      sleep(after).then(() =>
        repos.payments.confirm(paymentId, {
          transactionHash: `0x${paymentId}`,
          network: 'tron',
          amlFee: fee,
        }),
      );
    const { value: outcomes, refused } = await refusalsOf(async () => {
      try {
        // Offsets drawn in call order, before anything runs: the seed fixes the plan.
        const plan = setups.map((s) => ({
          s,
          raiseAt: Math.floor(random() * 25),
          confirmAt: Math.floor(random() * 25),
        }));
        return await Promise.all(
          plan.map(async ({ s, raiseAt, confirmAt }, i) => {
            if (i >= pairs)
              return { setup: s, confirmed: await confirm(s.paymentId, confirmAt), dispute: null };
            const [dispute, confirmed] = await Promise.all([
              sleep(raiseAt).then(() =>
                repos.disputes.raise({
                  purchaseRequestId: s.requestId,
                  paymentId: s.paymentId,
                  openedBy: s.buyerId,
                  againstUserId: s.sellerId,
                  reason: 'not_delivered',
                  note: `seed ${seed}`,
                }),
              ),
              confirm(s.paymentId, confirmAt),
            ]);
            return { setup: s, confirmed, dispute };
          }),
        );
      } finally {
        racing = false;
        await reader;
      }
    });
    return { setups, pairs: setups.slice(0, pairs), solo: setups.slice(pairs), outcomes, samples, refused };
  };

  const NO_HALVES = {
    completedWithoutOneFee: 0,
    feeWithoutCompletion: 0,
    disputedWithoutDisputeOrHold: 0,
    disputeOrHoldWithoutRaise: 0,
  };

  describe.each([1, 7, 42])('a dispute raised while its payment is confirmed (seed %i)', (seed) => {
    it('10 pairs: each payment completed with exactly one AML fee AND disputed with its hold, in both stores', async () => {
      const { pairs, outcomes, refused } = await raceDisputesAndConfirms(seed, 10);
      // The domain: confirm does not look at disputes or escrow, and a request in progress is disputable
      // whatever its payment's status; so neither call refuses the other, and both land whole.
      for (const { setup, confirmed, dispute } of outcomes) {
        expect(confirmed).toMatchObject({ id: setup.paymentId, status: 'completed' });
        expect(dispute).toMatchObject({
          status: 'open',
          paymentId: setup.paymentId,
          purchaseRequestId: setup.requestId,
        });
      }
      // Queued, never deadlocked: raise locks the request row FOR NO KEY UPDATE, so a confirm's AML fee
      // insert (its FK check's KEY SHARE on that request) passes while raise waits for the payment. No
      // statement refused, not even a retried deadlock.
      expect(refused).toEqual([]);

      const ids = pairs.map((p) => p.paymentId);
      const pgState = await sql<{
        id: string;
        status: string;
        escrow: string;
        request: string;
        disputes: string[];
        fees: string[];
        feeKeys: string[];
      }>(
        `SELECT p.legacy_object_id AS id, p.status::text AS status, p.escrow_state::text AS escrow,
                r.status::text AS request,
                ARRAY(SELECT d.status::text FROM disputes d WHERE d.payment_id = p.id AND d.purchase_request_id = r.id) AS disputes,
                ARRAY(SELECT f.amount::text FROM funds_ledger_entries f WHERE f.payment_id = p.id AND f.type = 'aml_fee') AS fees,
                ARRAY(SELECT f.idempotency_key FROM funds_ledger_entries f WHERE f.payment_id = p.id AND f.type = 'aml_fee') AS "feeKeys"
           FROM payments p JOIN purchase_requests r ON r.id = p.purchase_request_id
          WHERE p.legacy_object_id = ANY($1::text[]) ORDER BY 1`,
        [ids],
      );
      const expected = [...ids].sort().map((id) => ({
        id,
        status: 'completed',
        escrow: 'funded',
        request: 'disputed',
        disputes: ['open'],
        fees: [`-${FEE}`],
        feeKeys: [amlFeeKey(id)],
      }));
      expect(pgState.map((p) => ({ ...p, fees: p.fees.map(normaliseDecimalText) }))).toEqual(expected);

      const mongoPayments = await source
        .collection('payments')
        .find({ _id: { $in: oids(ids) } })
        .toArray();
      const mongoFees = await source
        .collection('fundsledgerentries')
        .find({ paymentId: { $in: oids(ids) }, type: 'aml_fee' })
        .toArray();
      const mongoDisputes = await source
        .collection('disputes')
        .find({ paymentId: { $in: oids(ids) } })
        .toArray();
      const mongoRequests = await source
        .collection('purchaserequests')
        .find({ _id: { $in: oids(pairs.map((p) => p.requestId)) } })
        .toArray();
      const mongoState = [...ids].sort().map((id) => {
        const payment = mongoPayments.find((p) => p._id.toHexString() === id)!;
        const request = mongoRequests.find((r) => r._id.equals(payment.purchaseRequestId as ObjectId))!;
        const of = (docs: typeof mongoFees) =>
          docs.filter((d) => (d.paymentId as ObjectId).toHexString() === id);
        return {
          id,
          status: payment.status as string,
          escrow: payment.escrowState as string,
          request: request.status as string,
          disputes: of(mongoDisputes).map((d) => d.status as string),
          fees: of(mongoFees).map((f) => mongoDecimal(f.amount)),
          feeKeys: of(mongoFees).map((f) => f.idempotencyKey as string),
        };
      });
      expect(mongoState).toEqual(expected);
      await expectSettled();
    });
  });

  it('no partial transaction is ever visible: a plain-SQL reader sampling while disputes and confirms race', async () => {
    const { setups, samples, outcomes, refused } = await raceDisputesAndConfirms(2024, 10, 10);
    expect(refused).toEqual([]);
    expect(samples.length).toBeGreaterThan(0);
    const halves = samples.filter(
      (s) =>
        s.completedWithoutOneFee +
          s.feeWithoutCompletion +
          s.disputedWithoutDisputeOrHold +
          s.disputeOrHoldWithoutRaise >
        0,
    );
    expect(halves, `half-done states among ${samples.length} samples`).toEqual([]);
    // The reader sampled the race under way, not only before or after it: some sample saw part of the commits.
    const done = (s: HalvesSample) => s.completed + s.disputed;
    expect(samples.filter((s) => done(s) > 0 && done(s) < setups.length + 10).length).toBeGreaterThan(0);
    const last = samples[samples.length - 1]!;
    expect(last).toEqual({ ...NO_HALVES, completed: setups.length, disputed: 10 });
    expect(outcomes.every((o) => o.confirmed.status === 'completed')).toBe(true);
    await expectSettled();
  });

  it('20 concurrent point increments and 10 referral rewards on one user: exact counters in both stores', async () => {
    const userId = await newUser('points');
    const deltas = Array.from({ length: 20 }, (_, i) => i + 1);
    const rewards = Array.from({ length: 10 }, (_, i) => 100 * (i + 1));
    const [balances, referrers] = await Promise.all([
      Promise.all(deltas.map((d) => repos.users.incrementPoints(userId, d))),
      Promise.all(rewards.map((p) => repos.users.rewardReferral(userId, p))),
    ]);
    const points = deltas.reduce((a, b) => a + b, 0) + rewards.reduce((a, b) => a + b, 0);
    // Each write saw the one before it: every answered balance is distinct (all moves are positive).
    expect(new Set([...balances, ...referrers.map((r) => r.points)]).size).toBe(30);
    expect(Math.max(...balances, ...referrers.map((r) => r.points ?? 0))).toBe(points);
    expect(new Set(referrers.map((r) => r.referralStats?.totalReferred)).size).toBe(10);

    const expected = { points, referred: 10, earned: rewards.reduce((a, b) => a + b, 0) };
    const pgUser = await sql<{ points: number; referred: number; earned: number }>(
      `SELECT points, referral_total_referred AS referred, referral_total_earned_points AS earned
         FROM users WHERE legacy_object_id = $1`,
      [userId],
    );
    expect(pgUser).toEqual([expected]);
    const mongoUser = await source.collection('users').findOne({ _id: new ObjectId(userId) });
    const stats = mongoUser?.referralStats as
      { totalReferred?: number; totalEarnedPoints?: number } | undefined;
    expect({
      points: mongoUser?.points,
      referred: stats?.totalReferred,
      earned: stats?.totalEarnedPoints,
    }).toEqual(expected);
    await expectSettled();
  });
});
