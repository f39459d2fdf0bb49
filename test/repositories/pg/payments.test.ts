import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import type { ILedgerRepo } from '../../../src/repositories/domain/ledger.js';
import {
  amlFeeKey,
  type IPaymentRepo,
  type NewCheckout,
  type OpenedCheckout,
  type Payment,
} from '../../../src/repositories/domain/payments.js';
import { MongoLedgerRepo } from '../../../src/repositories/mongo/ledger.js';
import { MongoPaymentRepo } from '../../../src/repositories/mongo/payments.js';
import { DrizzleLedgerRepo } from '../../../src/repositories/pg/ledger.js';
import { DrizzlePaymentRepo } from '../../../src/repositories/pg/payments.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import { usePgRepos } from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

/** Ids replaced by the name of the call that made them (or the fixture's name); dates only checked. */
function named(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/[0-9a-f]{24}/g, (id) => names.get(id) ?? id);
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return value.map((v) => named(v, names));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, named(v, names)]));
  return value;
}

describe('DrizzlePaymentRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzlePaymentRepo;
  let ledger: DrizzleLedgerRepo;
  let mongoRepo: MongoPaymentRepo;
  let mongoLedger: MongoLedgerRepo;
  const mongo = usePgRepos(async ({ ctx, pool: opened, failures: refused }) => {
    pool = opened;
    failures = refused;
    mongoRepo = new MongoPaymentRepo(ctx);
    mongoLedger = new MongoLedgerRepo(ctx);
    await ctx.models.FundsLedgerEntry.init();
    await ctx.models.Payment.init();
    repo = new DrizzlePaymentRepo({ pool });
    ledger = new DrizzleLedgerRepo({ pool });
  });

  /** Every row of both money tables, as comparable JSON. */
  const snapshot = async (): Promise<string> => {
    const { rows } = await pool.query(
      `SELECT (SELECT jsonb_agg(to_jsonb(p) ORDER BY p.id) FROM payments p) AS payments,
              (SELECT jsonb_agg(to_jsonb(e) ORDER BY e.id) FROM funds_ledger_entries e) AS entries,
              (SELECT count(*) FROM id_map) AS ids`,
    );
    return JSON.stringify(rows[0]);
  };

  const checkout = (buyerId: string, extra: Partial<NewCheckout> = {}): NewCheckout => ({
    buyerId,
    purchaseRequestId: `tmpl_${new ObjectId().toHexString()}`,
    amount: { value: '25.00', currency: 'USDT' },
    ...extra,
  });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const danglingOffer = new ObjectId().toHexString();
    const danglingRequest = new ObjectId().toHexString();
    const script = async (store: IPaymentRepo, funds: ILedgerRepo) => {
      const names = new Map<string, string>([
        [buyer, 'buyer'],
        [seller, 'seller'],
        [danglingOffer, 'danglingOffer'],
        [danglingRequest, 'danglingRequest'],
      ]);
      const out: [string, unknown][] = [];
      const keep = <T extends Payment | OpenedCheckout | null | Payment[]>(name: string, value: T): T => {
        const one = value as Payment | OpenedCheckout | null | Payment[];
        const payment = one && 'payment' in one ? one.payment : one;
        if (payment && !Array.isArray(payment) && !names.has(payment.id)) names.set(payment.id, name);
        out.push([name, named(value, names)]);
        return value;
      };
      const attempt = async (name: string, call: () => Promise<unknown>) => {
        try {
          const value = await call();
          const id = (value as { id?: unknown } | null)?.id;
          if (typeof id === 'string' && !names.has(id)) names.set(id, name);
          out.push([name, named(value, names)]);
        } catch (error) {
          out.push([name, (error as Error).name]);
        }
      };
      const first = keep(
        'first',
        await store.openPendingCheckout({
          buyerId: buyer,
          purchaseRequestId: 'tmpl_session',
          sellerOfferId: danglingOffer,
          sellerId: seller,
          amount: { value: '100.50', currency: 'USDT' },
          providerPaymentId: 'pp-1',
          blockchain: { network: 'ethereum', toAddress: '0xabc' },
          metadata: { cart: [1, 2], note: 'x', deep: { ok: true } },
        }),
      ).payment;
      keep(
        'first again',
        await store.openPendingCheckout({
          buyerId: buyer,
          purchaseRequestId: 'tmpl_session',
          sellerOfferId: danglingOffer,
          amount: { value: '1', currency: 'EUR' },
        }),
      );
      const noOffer = keep(
        'no offer',
        await store.openPendingCheckout({
          buyerId: buyer,
          purchaseRequestId: danglingRequest,
          sellerId: 'ext-seller',
          amount: { value: '0.000000000000000001', currency: 'USDT' },
          providerPaymentId: 'pp-1',
        }),
      ).payment;
      keep(
        'no offer again',
        await store.openPendingCheckout({
          buyerId: buyer,
          purchaseRequestId: danglingRequest,
          amount: { value: '3', currency: 'USDT' },
        }),
      );
      await attempt('zero amount', () =>
        store.openPendingCheckout({ buyerId: buyer, amount: { value: '0', currency: 'USDT' } }),
      );
      keep(
        'first.confirm',
        await store.confirm(first.id, {
          transactionHash: '0xhash1',
          fromAddress: '0xfrom',
          confirmations: 3,
          amlFee: { value: '0.75', currency: 'USDT' },
        }),
      );
      keep(
        'first.confirm retry',
        await store.confirm(first.id, {
          transactionHash: '0xhash1',
          amlFee: { value: '0.75', currency: 'USDT' },
        }),
      );
      await attempt('first.confirm other hash', () =>
        store.confirm(first.id, { transactionHash: '0xother' }),
      );
      await attempt('fee entry', () => funds.findByIdempotencyKey(amlFeeKey(first.id)));
      await attempt('fee balance', () => funds.balance(buyer, 'USDT'));
      keep(
        'first again after confirm',
        await store.openPendingCheckout({
          buyerId: buyer,
          purchaseRequestId: 'tmpl_session',
          sellerOfferId: danglingOffer,
          amount: { value: '2', currency: 'USDT' },
        }),
      );
      await attempt('noOffer.refund pending', () => store.refund(noOffer.id));
      keep('first.refund', await store.refund(first.id));
      keep('first.refund again', await store.refund(first.id));
      await attempt('first.confirm refunded', () => store.confirm(first.id, { transactionHash: '0xhash1' }));
      keep(
        'noOffer.confirm no fee',
        await store.confirm(noOffer.id, {
          transactionHash: '0xh2',
          amlFee: { value: '0', currency: 'USDT' },
        }),
      );
      await attempt('unknown.confirm', () =>
        store.confirm(new ObjectId().toHexString(), { transactionHash: 'x' }),
      );
      await attempt('unknown.refund', () => store.refund(new ObjectId().toHexString()));
      keep('first.findById', await store.findById(first.id));
      keep('unknown.findById', await store.findById(new ObjectId().toHexString()));
      keep('pp-1', await store.findByProviderPaymentId('pp-1'));
      keep('pp-none', await store.findByProviderPaymentId('pp-none'));
      keep('byBuyer', await store.listByBuyer(buyer));
      keep('byBuyer page', await store.listByBuyer(buyer, { offset: 1, limit: 1 }));
      keep('pending', await store.listByStatus('pending'));
      keep('completed', await store.listByStatus('completed'));
      keep('refunded', await store.listByStatus('refunded'));
      await attempt('fee entries', () => funds.listByUser(buyer));
      return out;
    };
    const fromMongo = await script(mongoRepo, mongoLedger);
    const fromPostgres = await script(repo, ledger);
    expect(fromPostgres).toStrictEqual(fromMongo);
    // Spot-checks, so an equal pair of wrong answers cannot pass.
    const at = (name: string) => fromPostgres.find(([n]) => n === name)?.[1];
    expect(at('first')).toMatchObject({
      created: true,
      payment: {
        purchaseRequestId: 'tmpl_session',
        sellerOfferId: 'danglingOffer',
        sellerId: 'seller',
        amount: { value: '100.5', currency: 'USDT' },
      },
    });
    expect(at('first again')).toMatchObject({ created: false, payment: { amount: { value: '100.5' } } });
    expect(at('first again after confirm')).toMatchObject({ created: true });
    expect(at('first.confirm')).toMatchObject({
      status: 'completed',
      blockchain: { network: 'ethereum', toAddress: '0xabc', transactionHash: '0xhash1', confirmations: 3 },
    });
    expect(at('fee entry')).toMatchObject({
      type: 'aml_fee',
      amount: { value: '-0.75' },
      paymentId: 'first',
    });
    expect(at('first.confirm other hash')).toBe('DomainRuleError');
    expect(at('noOffer.refund pending')).toBe('DomainRuleError');
    expect(at('first.refund again')).toMatchObject({ status: 'refunded', isRefunded: true });
    expect(at('unknown.confirm')).toBe('NotFoundError');
    expect(failures).toEqual([]);
  });

  it('20 concurrent openPendingCheckout calls leave one pending payment, and all answer its id', async () => {
    const buyer = await mongo.newUser();
    failures.length = 0;
    const input = checkout(buyer, { sellerOfferId: new ObjectId().toHexString() });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => repo.openPendingCheckout(input)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const values = results.map((r) => (r as PromiseFulfilledResult<OpenedCheckout>).value);
    expect(new Set(values.map((v) => v.payment.id)).size).toBe(1);
    expect(values.filter((v) => v.created)).toHaveLength(1);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM payments p JOIN users u ON u.id = p.buyer_id WHERE u.legacy_object_id = $1`,
      [buyer],
    );
    expect(rows[0]).toEqual({ n: 1 });
    const { rows: orphans } = await pool.query(
      `SELECT count(*)::int AS n FROM id_map m WHERE m.collection = 'payments'
          AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.legacy_object_id = m.legacy_object_id)`,
    );
    expect(orphans[0]).toEqual({ n: 0 });
    expect(failures).toEqual([]);
  });

  it('20 concurrent confirms with a fee: one completion, one aml_fee entry, all answer the payment', async () => {
    const buyer = await mongo.newUser();
    const { payment } = await repo.openPendingCheckout(checkout(buyer));
    failures.length = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        repo.confirm(payment.id, { transactionHash: '0xrace', amlFee: { value: '1.25', currency: 'USDT' } }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const values = results.map((r) => (r as PromiseFulfilledResult<Payment>).value);
    // One completion: every call answers the same completed payment (the same completedAt).
    expect(new Set(values.map((v) => `${v.status} ${v.completedAt?.toISOString()}`)).size).toBe(1);
    expect(values[0]!.status).toBe('completed');
    const { rows } = await pool.query(
      `SELECT e.type, e.amount::text, e.idempotency_key FROM funds_ledger_entries e
         JOIN users u ON u.id = e.user_id WHERE u.legacy_object_id = $1`,
      [buyer],
    );
    expect(rows).toEqual([
      { type: 'aml_fee', amount: '-1.250000000000000000', idempotency_key: amlFeeKey(payment.id) },
    ]);
    expect(await ledger.balance(buyer, 'USDT')).toEqual({ value: '-1.25', currency: 'USDT' });
    expect(failures).toEqual([]);
  });

  it('a confirm whose transaction fails after the payment update leaves neither change visible', async () => {
    const buyer = await mongo.newUser();
    const { payment } = await repo.openPendingCheckout(checkout(buyer));
    // An injected failure inside the same transaction, after the payment row was rewritten: the fee insert.
    await pool.query(`CREATE FUNCTION test_refuse_fee() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Proof that the failure comes AFTER the payment update, in the same transaction.
        IF EXISTS (SELECT 1 FROM payments WHERE id = NEW.payment_id AND status = 'completed') THEN
          RAISE EXCEPTION 'injected failure after the payment update' USING ERRCODE = 'P0001';
        END IF;
        RAISE EXCEPTION 'injected failure, but the payment was not updated first';
      END $$`);
    await pool.query(`CREATE TRIGGER test_refuse_fee BEFORE INSERT ON funds_ledger_entries
      FOR EACH ROW WHEN (NEW.currency = 'FAIL') EXECUTE FUNCTION test_refuse_fee()`);
    try {
      const before = await snapshot();
      await expect(
        repo.confirm(payment.id, { transactionHash: '0xfail', amlFee: { value: '2', currency: 'FAIL' } }),
      ).rejects.toThrow('injected failure after the payment update');
      // A fee currency the ledger cannot hold (NUL): refused after the payment update too.
      await expect(
        repo.confirm(payment.id, {
          transactionHash: '0xfail',
          amlFee: { value: '2', currency: 'U\u0000SD' },
        }),
      ).rejects.toThrow();
      expect(await snapshot()).toBe(before);
      expect(await repo.findById(payment.id)).toMatchObject({ status: 'pending' });
      expect(await ledger.findByIdempotencyKey(amlFeeKey(payment.id))).toBeNull();
    } finally {
      await pool.query(`DROP TRIGGER test_refuse_fee ON funds_ledger_entries`);
      await pool.query(`DROP FUNCTION test_refuse_fee()`);
    }
    // The retry, once the fee can be recorded, does both.
    const confirmed = await repo.confirm(payment.id, {
      transactionHash: '0xfail',
      amlFee: { value: '2', currency: 'USDT' },
    });
    expect(confirmed.status).toBe('completed');
    expect(await ledger.findByIdempotencyKey(amlFeeKey(payment.id))).toMatchObject({
      amount: { value: '-2', currency: 'USDT' },
    });
  });

  it('a confirm notes the payment and its fee entry; a refund the payment; refusals write nothing', async () => {
    const buyer = await mongo.newUser();
    const { payment } = await repo.openPendingCheckout(checkout(buyer));
    const confirmed = await withWriteLog(() =>
      repo.confirm(payment.id, { transactionHash: '0xn', amlFee: { value: '1', currency: 'USDT' } }),
    );
    expect(confirmed.outcome.ok).toBe(true);
    const fee = await ledger.findByIdempotencyKey(amlFeeKey(payment.id));
    expect(confirmed.log.documentsOf('payments')).toEqual([
      { collection: 'payments', id: new ObjectId(payment.id), op: 'upsert' },
    ]);
    expect(confirmed.log.documentsOf('fundsledgerentries')).toEqual([
      { collection: 'fundsledgerentries', id: new ObjectId(fee!.id), op: 'upsert' },
    ]);
    const refunded = await withWriteLog(() => repo.refund(payment.id));
    expect(refunded.log.documentsOf('payments')).toEqual([
      { collection: 'payments', id: new ObjectId(payment.id), op: 'upsert' },
    ]);
    const before = await snapshot();
    await expect(repo.confirm(payment.id, { transactionHash: '0xn' })).rejects.toBeInstanceOf(
      DomainRuleError,
    );
    await expect(repo.openPendingCheckout(checkout(new ObjectId().toHexString()))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await snapshot()).toBe(before);
    const { rows } = await pool.query(
      `SELECT updated_at = source_updated_at AS versioned, date_trunc('milliseconds', updated_at) = updated_at AS ms
         FROM payments WHERE legacy_object_id = $1`,
      [payment.id],
    );
    expect(rows).toEqual([{ versioned: true, ms: true }]);
  });

  it('every payment and entry Postgres wrote maps back and forward to its row again', async () => {
    for (const collection of ['payments', 'fundsledgerentries']) {
      const { problems, documents } = await roundTrip(pool, collection);
      expect(problems).toEqual([]);
      expect(documents.size).toBeGreaterThanOrEqual(3);
    }
  });
});
