import { Double, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoPaymentRepo } from '../../../src/repositories/mongo/payments.js';
import { amlFeeKey, type NewCheckout } from '../../../src/repositories/domain/payments.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoPaymentRepo: idempotent checkout, conditional state changes, the AML fee once', () => {
  let repo: MongoPaymentRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    // The partial unique checkout index and the ledger's idempotency index decide the races below.
    await ctx.models.Payment.init();
    await ctx.models.FundsLedgerEntry.init();
    repo = new MongoPaymentRepo(ctx);
  });
  const payments = () => mongo.db.collection('payments');
  const ledger = () => mongo.db.collection('fundsledgerentries');

  const checkout = (fields: Partial<NewCheckout> = {}): NewCheckout => ({
    buyerId: hexId(),
    purchaseRequestId: hexId(),
    sellerOfferId: hexId(),
    sellerId: hexId(),
    amount: { value: '250.10', currency: 'USDT' },
    blockchain: { network: 'tron', toAddress: 'TDestination' },
    ...fields,
  });

  it('opens a pending request.network checkout with a Decimal128 amount, once per buyer, request and offer', async () => {
    const input = checkout();
    const { value: opened, changed } = await expectNotedWrites(mongo.db, () =>
      repo.openPendingCheckout(input),
    );
    expect(changed).toHaveLength(1);
    expect(opened.created).toBe(true);
    expect(opened.payment).toMatchObject({
      buyerId: input.buyerId,
      purchaseRequestId: input.purchaseRequestId,
      sellerOfferId: input.sellerOfferId,
      amount: { value: '250.1', currency: 'USDT' },
      provider: 'request.network',
      direction: 'in',
      status: 'pending',
      blockchain: { network: 'tron', toAddress: 'TDestination' },
    });
    const raw = await payments().findOne({ _id: new ObjectId(opened.payment.id) });
    expect(raw?.amount?.value?._bsontype).toBe('Decimal128');
    expect(String(raw?.amount?.value)).toBe('250.1');

    const { value: again, changed: none } = await expectNotedWrites(mongo.db, () =>
      repo.openPendingCheckout(input),
    );
    expect(none).toHaveLength(0);
    expect(again).toMatchObject({ created: false, payment: { id: opened.payment.id } });
    // Another offer of the same request is another checkout.
    const other = await repo.openPendingCheckout({ ...input, sellerOfferId: hexId() });
    expect(other.created).toBe(true);
  });

  it('gives 20 concurrent checkouts of one buyer, request and offer one pending payment', async () => {
    const input = checkout();
    const { value: results } = await expectNotedWrites(mongo.db, () =>
      Promise.all(Array.from({ length: 20 }, () => repo.openPendingCheckout(input))),
    );
    const pending = await payments()
      .find({ buyerId: new ObjectId(input.buyerId), status: 'pending' })
      .toArray();
    expect(pending).toHaveLength(1);
    expect(results.map((r) => r.payment.id)).toEqual(Array(20).fill(String(pending[0]?._id)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('keys a template checkout without an offer on the template ref, a missing offer as null', async () => {
    const buyerId = hexId();
    const template = {
      buyerId,
      purchaseRequestId: 'tmpl_summer',
      sellerOfferId: undefined,
      sellerId: undefined,
    };
    const first = await repo.openPendingCheckout(checkout(template));
    const second = await repo.openPendingCheckout(checkout({ ...template, sellerOfferId: null }));
    expect(second).toMatchObject({
      created: false,
      payment: { id: first.payment.id, purchaseRequestId: 'tmpl_summer' },
    });
  });

  it('confirms once, records the AML fee once, and lets a new checkout open afterwards', async () => {
    const input = checkout();
    const { payment } = await repo.openPendingCheckout(input);
    const confirmation = {
      transactionHash: '0xabc',
      confirmations: 12,
      blockNumber: 900,
      amlFee: { value: '0.1', currency: 'USDT' },
    };
    const { value: confirmed, changed } = await expectNotedWrites(mongo.db, () =>
      repo.confirm(payment.id, confirmation),
    );
    expect(changed.map((c) => c.collection).sort()).toEqual(['fundsledgerentries', 'payments']);
    expect(confirmed).toMatchObject({
      status: 'completed',
      // The checkout's on-chain fields are kept; the confirmation's are added.
      blockchain: { network: 'tron', toAddress: 'TDestination', transactionHash: '0xabc', confirmations: 12 },
    });
    expect(confirmed.completedAt).toBeInstanceOf(Date);
    const fee = await ledger().findOne({ idempotencyKey: amlFeeKey(payment.id) });
    expect(fee).toMatchObject({ type: 'aml_fee', currency: 'USDT', description: 'AML fee' });
    expect(String(fee?.amount)).toBe('-0.1');
    expect(String(fee?.userId)).toBe(input.buyerId);
    expect(String(fee?.paymentId)).toBe(payment.id);

    // Retried confirms (one at a time and 20 at once) change nothing and write no second fee.
    const { changed: none } = await expectNotedWrites(mongo.db, () => repo.confirm(payment.id, confirmation));
    expect(none).toHaveLength(0);
    await expectNotedWrites(mongo.db, () =>
      Promise.all(Array.from({ length: 20 }, () => repo.confirm(payment.id, confirmation))),
    );
    expect(await ledger().countDocuments({ paymentId: new ObjectId(payment.id) })).toBe(1);

    // Confirmed, the payment left the partial index: the buyer can check out the same offer again.
    expect((await repo.openPendingCheckout(input)).created).toBe(true);
    // Another transaction does not confirm it again.
    await expect(
      repo.confirm(payment.id, { ...confirmation, transactionHash: '0xother' }),
    ).rejects.toBeInstanceOf(DomainRuleError);
  });

  it('20 concurrent confirms of a pending payment: one moves it, all answer it, one fee', async () => {
    const { payment } = await repo.openPendingCheckout(checkout());
    const confirmation = {
      transactionHash: '0xrace',
      amlFee: { value: '2.000000000000000001', currency: 'USDT' },
    };
    const { value: results } = await expectNotedWrites(mongo.db, () =>
      Promise.all(Array.from({ length: 20 }, () => repo.confirm(payment.id, confirmation))),
    );
    expect(new Set(results.map((p) => p.status))).toEqual(new Set(['completed']));
    const fees = await ledger()
      .find({ paymentId: new ObjectId(payment.id) })
      .toArray();
    expect(fees.map((f) => String(f.amount))).toEqual(['-2.000000000000000001']);
  });

  it('finishes a confirm that died between the payment and its fee', async () => {
    const { payment } = await repo.openPendingCheckout(checkout());
    // As the first attempt left it: completed, no fee entry yet.
    await payments().updateOne(
      { _id: new ObjectId(payment.id) },
      { $set: { status: 'completed', 'blockchain.transactionHash': '0xhalf' } },
    );
    await expectNotedWrites(mongo.db, () =>
      repo.confirm(payment.id, { transactionHash: '0xhalf', amlFee: { value: '1.5', currency: 'USDT' } }),
    );
    expect(await ledger().countDocuments({ idempotencyKey: amlFeeKey(payment.id) })).toBe(1);
  });

  it('refuses to confirm what is not pending, and money it cannot hold', async () => {
    const { payment } = await repo.openPendingCheckout(checkout());
    await payments().updateOne({ _id: new ObjectId(payment.id) }, { $set: { status: 'cancelled' } });
    await expect(repo.confirm(payment.id, { transactionHash: '0x1' })).rejects.toBeInstanceOf(
      DomainRuleError,
    );
    await expect(repo.confirm(hexId(), { transactionHash: '0x1' })).rejects.toBeInstanceOf(NotFoundError);
    const { payment: open } = await repo.openPendingCheckout(checkout());
    await expect(
      repo.confirm(open.id, { transactionHash: '0x1', amlFee: { value: '-1', currency: 'USDT' } }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect((await repo.findById(open.id))?.status).toBe('pending');
    for (const value of ['0', '-5', '1.0000000000000000001', 'ten'])
      await expect(
        repo.openPendingCheckout(checkout({ amount: { value, currency: 'USDT' } })),
      ).rejects.toBeInstanceOf(DomainRuleError);
  });

  it('refunds a completed payment once; a repeat answers it, a pending one is refused', async () => {
    const { payment } = await repo.openPendingCheckout(checkout());
    await expect(repo.refund(payment.id)).rejects.toBeInstanceOf(DomainRuleError);
    await repo.confirm(payment.id, { transactionHash: '0xrefund' });
    const { value: refunded } = await expectNotedWrites(mongo.db, () => repo.refund(payment.id));
    expect(refunded).toMatchObject({ status: 'refunded', isRefunded: true });
    const { value: again, changed } = await expectNotedWrites(mongo.db, () => repo.refund(payment.id));
    expect(changed).toHaveLength(0);
    expect(again.status).toBe('refunded');
    await expect(repo.refund(hexId())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads legacy amounts exactly and lists by buyer and by status, newest first', async () => {
    const buyerId = new ObjectId();
    const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s));
    await payments().insertMany([
      { buyerId, amount: { value: new Double(0.1), currency: 'USDT' }, status: 'failed', createdAt: at(1) },
      { buyerId, amount: { value: '12.50' }, status: 'failed', createdAt: at(2) },
      { buyerId, amount: { value: 3 }, status: 'expired', createdAt: at(3) },
    ]);
    const listed = await repo.listByBuyer(buyerId.toHexString());
    expect(listed.map((p) => p.amount)).toEqual([
      { value: '3', currency: 'USDT' },
      { value: '12.5', currency: 'USDT' },
      { value: '0.1', currency: 'USDT' },
    ]);
    expect(
      (await repo.listByBuyer(buyerId.toHexString(), { limit: 1, offset: 1 })).map((p) => p.amount.value),
    ).toEqual(['12.5']);
    expect((await repo.listByStatus('failed')).map((p) => p.amount.value)).toEqual(['12.5', '0.1']);
    expect(JSON.parse(JSON.stringify(listed[0]))).toMatchObject({
      buyerId: buyerId.toHexString(),
      amount: { value: '3' },
    });
  });

  it('finds a payment by its provider payment id', async () => {
    const { payment } = await repo.openPendingCheckout(checkout({ providerPaymentId: 'rn_42' }));
    expect((await repo.findByProviderPaymentId('rn_42'))?.id).toBe(payment.id);
    expect(await repo.findByProviderPaymentId('rn_none')).toBeNull();
  });
});
