import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import type {
  ILedgerRepo,
  LedgerEntry,
  RecordedLedgerEntry,
} from '../../../src/repositories/domain/ledger.js';
import { MongoLedgerRepo } from '../../../src/repositories/mongo/ledger.js';
import { DrizzleLedgerRepo } from '../../../src/repositories/pg/ledger.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import { usePgRepos } from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

/** Ids replaced by the name of the call that made them (or the fixture's name); dates only checked. */
function named(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') return names.get(value) ?? value;
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return value.map((v) => named(v, names));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, named(v, names)]));
  return value;
}

describe('DrizzleLedgerRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzleLedgerRepo;
  let mongoRepo: MongoLedgerRepo;
  const mongo = usePgRepos(async ({ ctx, pool: opened, failures: refused }) => {
    pool = opened;
    failures = refused;
    mongoRepo = new MongoLedgerRepo(ctx);
    await ctx.models.FundsLedgerEntry.init();
    repo = new DrizzleLedgerRepo({ pool });
  });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const userId = await mongo.newUser();
    const other = await mongo.newUser();
    const danglingPayment = new ObjectId().toHexString();
    const script = async (store: ILedgerRepo) => {
      const names = new Map<string, string>([
        [userId, 'user'],
        [other, 'other'],
        [danglingPayment, 'danglingPayment'],
      ]);
      const out: [string, unknown][] = [];
      const keep = (name: string, value: RecordedLedgerEntry | LedgerEntry | null | LedgerEntry[]) => {
        const entry = value && 'entry' in value ? value.entry : value;
        if (entry && !Array.isArray(entry) && !names.has(entry.id)) names.set(entry.id, name);
        out.push([name, named(value, names)]);
      };
      const attempt = async (name: string, call: () => Promise<unknown>) => {
        try {
          out.push([name, named(await call(), names)]);
        } catch (error) {
          out.push([name, (error as Error).name]);
        }
      };
      const fee = await store.record({
        userId,
        type: 'aml_fee',
        amount: { value: '-1.50', currency: 'USDT' },
        paymentId: danglingPayment,
        purchaseRequestId: 'tmpl_abc',
        idempotencyKey: 'k1',
        description: 'AML fee',
        metadata: { source: 'test', n: 2, nested: { a: [1, 'x'] } },
      });
      keep('fee', fee);
      keep(
        'fee again',
        await store.record({
          userId,
          type: 'aml_fee',
          amount: { value: '-1.5', currency: 'USDT' },
          idempotencyKey: 'k1',
        }),
      );
      await attempt('fee other amount', () =>
        store.record({
          userId,
          type: 'aml_fee',
          amount: { value: '-2', currency: 'USDT' },
          idempotencyKey: 'k1',
        }),
      );
      await attempt('fee other user', () =>
        store.record({
          userId: other,
          type: 'aml_fee',
          amount: { value: '-1.5', currency: 'USDT' },
          idempotencyKey: 'k1',
        }),
      );
      await attempt('bad money', () =>
        store.record({ userId, type: 'aml_fee', amount: { value: 'abc', currency: 'USDT' } }),
      );
      const types = ['aml_fee', 'aml_fee', 'aml_fee'] as const;
      for (const [i, value] of ['0.1', '0.2', '1234567890123456.123456789012345678'].entries())
        keep(
          `plain ${i}`,
          await store.record({
            userId,
            type: types[i]!,
            amount: { value, currency: 'USDT' },
            paymentId: 'pp_x',
          }),
        );
      keep('eur', await store.record({ userId, type: 'aml_fee', amount: { value: '7', currency: 'EUR' } }));
      keep('fee.findById', await store.findById(fee.entry.id));
      keep('k1', await store.findByIdempotencyKey('k1'));
      await attempt('unknown key', () => store.findByIdempotencyKey('nope'));
      await attempt('unknown id', () => store.findById(new ObjectId().toHexString()));
      keep('listed', await store.listByUser(userId));
      keep('listed page', await store.listByUser(userId, { offset: 1, limit: 2 }));
      await attempt('balance USDT', () => store.balance(userId, 'USDT'));
      await attempt('balance EUR', () => store.balance(userId, 'EUR'));
      await attempt('balance none', () => store.balance(other, 'USDT'));
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    expect(fromPostgres.find(([name]) => name === 'fee')?.[1]).toMatchObject({
      created: true,
      entry: {
        paymentId: 'danglingPayment',
        purchaseRequestId: 'tmpl_abc',
        amount: { value: '-1.5', currency: 'USDT' },
        metadata: { source: 'test', n: 2, nested: { a: [1, 'x'] } },
      },
    });
    expect(fromPostgres).toContainEqual(['fee other amount', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['fee other user', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual([
      'balance USDT',
      { value: '1234567890123454.923456789012345678', currency: 'USDT' },
    ]);
    expect(fromPostgres).toContainEqual(['balance none', { value: '0', currency: 'USDT' }]);
    expect(fromPostgres.find(([name]) => name === 'fee again')?.[1]).toMatchObject({ created: false });
    expect(failures).toEqual([]);
  });

  it('20 concurrent records with one key leave one entry, every call answers it, no statement fails', async () => {
    const userId = await mongo.newUser();
    failures.length = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        repo.record({
          userId,
          type: 'aml_fee',
          amount: { value: '-3', currency: 'USDT' },
          idempotencyKey: 'race',
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const values = results.map((r) => (r as PromiseFulfilledResult<RecordedLedgerEntry>).value);
    expect(new Set(values.map((v) => v.entry.id)).size).toBe(1);
    expect(values.filter((v) => v.created)).toHaveLength(1);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM funds_ledger_entries WHERE idempotency_key = 'race'`,
    );
    expect(rows[0]).toEqual({ n: 1 });
    // The losers' identities were rolled back with their inserts: one id_map entry per entry.
    const { rows: orphans } = await pool.query(
      `SELECT count(*)::int AS n FROM id_map m WHERE m.collection = 'fundsledgerentries'
          AND NOT EXISTS (SELECT 1 FROM funds_ledger_entries e WHERE e.legacy_object_id = m.legacy_object_id)`,
    );
    expect(orphans[0]).toEqual({ n: 0 });
    expect(failures).toEqual([]);
    expect(await repo.balance(userId, 'USDT')).toEqual({ value: '-3', currency: 'USDT' });
  });

  it('notes the entry it writes; refuses an unknown user without writing', async () => {
    const userId = await mongo.newUser();
    const { log, outcome } = await withWriteLog(() =>
      repo.record({ userId, type: 'aml_fee', amount: { value: '-1', currency: 'USDT' } }),
    );
    expect(outcome.ok).toBe(true);
    const { entry } = (outcome as { value: RecordedLedgerEntry }).value;
    expect(log.documentsOf('fundsledgerentries')).toEqual([
      { collection: 'fundsledgerentries', id: new ObjectId(entry.id), op: 'upsert' },
    ]);
    const { rows } = await pool.query(
      `SELECT updated_at, created_at = source_updated_at AS versioned, source_read_at IS NOT NULL AS read_at
         FROM funds_ledger_entries WHERE legacy_object_id = $1`,
      [entry.id],
    );
    expect(rows).toEqual([{ updated_at: null, versioned: true, read_at: true }]);
    await expect(
      repo.record({
        userId: new ObjectId().toHexString(),
        type: 'aml_fee',
        amount: { value: '1', currency: 'USDT' },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      repo.record({ userId, type: 'aml_fee', amount: { value: '1', currency: '' } }),
    ).rejects.toBeInstanceOf(DomainRuleError);
  });

  it('every entry Postgres wrote maps back and forward to its row again', async () => {
    const { problems, documents } = await roundTrip(pool, 'fundsledgerentries');
    expect(problems).toEqual([]);
    expect(documents.size).toBeGreaterThanOrEqual(5);
  });
});
