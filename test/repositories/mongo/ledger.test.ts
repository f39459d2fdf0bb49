import { Decimal128, Double, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoLedgerRepo } from '../../../src/repositories/mongo/ledger.js';
import { StoredMoneyError } from '../../../src/repositories/mongo/exactMoney.js';
import { DomainRuleError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoLedgerRepo: append-only entries, idempotent by key, exact balances', () => {
  let repo: MongoLedgerRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    // The sparse unique idempotencyKey index decides the concurrent records below.
    await ctx.models.FundsLedgerEntry.init();
    repo = new MongoLedgerRepo(ctx);
  });
  const entries = () => mongo.db.collection('fundsledgerentries');

  it('records a signed entry as Decimal128 and answers it as exact Money', async () => {
    const userId = hexId();
    const paymentId = hexId();
    const { value, changed } = await expectNotedWrites(mongo.db, () =>
      repo.record({
        userId,
        type: 'platform_fee',
        amount: { value: '-12.50', currency: 'USDT' },
        paymentId,
        purchaseRequestId: 'tmpl_checkout_1',
      }),
    );
    expect(changed).toHaveLength(1);
    expect(value.created).toBe(true);
    expect(value.entry).toMatchObject({
      userId,
      type: 'platform_fee',
      amount: { value: '-12.5', currency: 'USDT' },
      paymentId,
      purchaseRequestId: 'tmpl_checkout_1',
    });
    const raw = await entries().findOne({ _id: new ObjectId(value.entry.id) });
    expect(raw?.amount?._bsontype).toBe('Decimal128');
    expect(String(raw?.amount)).toBe('-12.5');
    // A 24-hex Mixed reference is stored as the ObjectId it names; a template ref stays a string.
    expect(raw?.paymentId?._bsontype).toBe('ObjectId');
    expect(raw?.purchaseRequestId).toBe('tmpl_checkout_1');
    expect(raw).not.toHaveProperty('updatedAt');
    expect(await repo.findById(value.entry.id)).toMatchObject({ amount: { value: '-12.5' } });
  });

  it('writes one entry for 20 concurrent records with one idempotency key', async () => {
    const userId = hexId();
    const key = `webhook:${hexId()}`;
    const { value: results } = await expectNotedWrites(mongo.db, () =>
      Promise.all(
        Array.from({ length: 20 }, () =>
          repo.record({
            userId,
            type: 'escrow_hold',
            amount: { value: '100.000001', currency: 'USDT' },
            idempotencyKey: key,
          }),
        ),
      ),
    );
    expect(await entries().countDocuments({ idempotencyKey: key })).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    expect((await repo.findByIdempotencyKey(key))?.id).toBe(results[0]?.entry.id);
    // The same movement again is a retry; a different one under the key is refused, and writes nothing.
    const again = await repo.record({
      userId,
      type: 'escrow_hold',
      amount: { value: '100.0000010', currency: 'USDT' },
      idempotencyKey: key,
    });
    expect(again).toMatchObject({ created: false, entry: { id: results[0]?.entry.id } });
    await expect(
      expectNotedWrites(mongo.db, () =>
        repo.record({
          userId,
          type: 'escrow_hold',
          amount: { value: '99', currency: 'USDT' },
          idempotencyKey: key,
        }),
      ),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect(await entries().countDocuments({ idempotencyKey: key })).toBe(1);
  });

  it('refuses money it cannot hold exactly, and writes nothing', async () => {
    const userId = hexId();
    // Too many decimals, not a number, and more digits than a Decimal128 holds (it would round).
    for (const value of [
      '0.1234567890123456789',
      'abc',
      '',
      '1e-19',
      '12345678901234567890.123456789012345678',
    ]) {
      await expect(
        repo.record({ userId, type: 'adjustment', amount: { value, currency: 'USDT' } }),
      ).rejects.toBeInstanceOf(DomainRuleError);
    }
    await expect(
      repo.record({ userId, type: 'adjustment', amount: { value: '1', currency: '' } }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect(await entries().countDocuments({ userId: new ObjectId(userId) })).toBe(0);
  });

  it('sums balances exactly, per currency, legacy doubles and strings included', async () => {
    const userId = hexId();
    for (const value of ['0.1', '0.2'])
      await repo.record({ userId, type: 'adjustment', amount: { value, currency: 'USDT' } });
    expect(await repo.balance(userId, 'USDT')).toEqual({ value: '0.3', currency: 'USDT' });

    // 34 significant digits, all a Decimal128 holds, and the 18th decimal carried exactly.
    for (const value of [
      '1234567890123456.123456789012345678',
      '0.000000000000000001',
      '-0.123456789012345679',
    ])
      await repo.record({ userId, type: 'adjustment', amount: { value, currency: 'USDC' } });
    expect((await repo.balance(userId, 'USDC')).value).toBe('1234567890123456');

    // Old rows: a double (read at its shortest decimal, 0.1 not 0.1000000000000000055…) and a string.
    const createdAt = new Date();
    await entries().insertMany([
      {
        userId: new ObjectId(userId),
        type: 'adjustment',
        amount: new Double(0.1),
        currency: 'USDT',
        createdAt,
      },
      { userId: new ObjectId(userId), type: 'adjustment', amount: '0.2', currency: 'USDT', createdAt },
      {
        userId: new ObjectId(userId),
        type: 'refund',
        amount: Decimal128.fromString('-0.6'),
        currency: 'USDT',
        createdAt,
      },
    ]);
    expect((await repo.balance(userId, 'USDT')).value).toBe('0');
    expect(await repo.balance(hexId(), 'USDT')).toEqual({
      value: '0',
      currency: 'USDT',
    });

    const legacy = (await repo.listByUser(userId, { limit: 3 })).map((e) => e.amount.value);
    expect(legacy.sort()).toEqual(['-0.6', '0.1', '0.2']);

    await entries().insertOne({
      userId: new ObjectId(userId),
      type: 'adjustment',
      amount: 'n/a',
      currency: 'USDT',
    });
    await expect(repo.balance(userId, 'USDT')).rejects.toBeInstanceOf(StoredMoneyError);
  });

  it('lists a user newest first, a page at a time', async () => {
    const userId = hexId();
    for (let i = 1; i <= 5; i++)
      await repo.record({ userId, type: 'escrow_hold', amount: { value: String(i), currency: 'USDT' } });
    const first = await repo.listByUser(userId, { limit: 2 });
    const rest = await repo.listByUser(userId, { limit: 10, offset: 2 });
    expect(first.map((e) => e.amount.value)).toEqual(['5', '4']);
    expect(rest.map((e) => e.amount.value)).toEqual(['3', '2', '1']);
    expect(JSON.parse(JSON.stringify(first[0]))).toMatchObject({
      userId,
      amount: { value: '5', currency: 'USDT' },
    });
  });
});
