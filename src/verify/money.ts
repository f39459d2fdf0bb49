import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { VerifyError } from './errors.js';
import type { MoneyFigures } from './money/figures.js';
import { readMongoMoney } from './money/mongoMoney.js';
import { readPgMoney } from './money/pgMoney.js';
import { COUNT_SETTLE_MS } from './counts/cutoff.js';
import { unsettledIds } from './unsettled.js';

export interface MoneyCheck {
  readonly name: string;
  readonly key: string;
  /** Canonical decimal text (a count for the sign invariant). */
  readonly mongo: string;
  readonly pg: string;
  readonly ok: boolean;
}

export interface MoneyVerdict {
  readonly ok: boolean;
  readonly checks: MoneyCheck[];
  /**
   * What was left out, said plainly: documents with an open reject are not in Postgres by design (they
   * are accounted as rejects), so their money is excluded from every MongoDB figure; documents MongoDB
   * wrote within the settle window, or with an open gap, are left out of BOTH sides (src/verify/unsettled.ts)
   * and compared one by one by the range verification instead.
   */
  readonly excluded: Record<string, { rejected: number; unsettled: number }>;
  /** Documents read per collection (excluded ones not counted). */
  readonly read: Record<string, number>;
  /** Documents not excluded whose money or keys the mapper cannot read (each also fails the verdict). */
  readonly unreadable: Record<string, string[]>;
}

/** Each figure with the missing side as zero: a key one store lacks is a difference, never skipped. */
const ZERO = '0';
const MONEY_COLLECTIONS = ['payments', 'fundsledgerentries'] as const;

/**
 * Exact money checks between the stores, for the migrated documents of payments and fundsledgerentries:
 *   payments_sum            SUM(amount) per status/provider/direction/currency (currency added: a sum
 *                           across currencies means nothing);
 *   ledger_sum              SUM(amount) per type/currency;
 *   ledger_balance          each user's balance per currency;
 * and two ledger invariants chosen from what legacy-schema.md says the ledger is (signed amounts):
 *   escrow_net              per purchase request, escrow_hold + escrow_release: what is still held in
 *                           escrow. Holding and releasing net per request; a migration that drops or
 *                           re-attributes one side to another request changes a user's balance by
 *                           nothing visible in the per-type sums, but shows here;
 *   ledger_sign             per type, the entries whose sign contradicts it (debits must be ≤ 0, holds
 *                           ≥ 0): a lost minus sign on a debit would net out of no sum check on its own.
 * Only keys whose figures differ are listed per purchase request and per user, plus one summary line
 * each, so a large ledger gives a short verdict.
 */
export async function verifyMoney(pool: pg.Pool, mongo: MongoDb): Promise<MoneyVerdict> {
  try {
    const client = await pool.connect();
    let pgFigures: MoneyFigures;
    let excluded: Map<string, Set<string>>;
    const unsettled = new Map<string, Set<string>>();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      excluded = await openRejectIds(client, ['payments', 'fundsledgerentries']);
      const { rows: clock } = await client.query<{ now: Date }>('SELECT now() AS now');
      const since = new Date(clock[0]!.now.getTime() - COUNT_SETTLE_MS);
      for (const collection of MONEY_COLLECTIONS) {
        unsettled.set(collection, await unsettledIds(client, mongo, collection, since));
      }
      pgFigures = await readPgMoney(client, {
        payments: [...unsettled.get('payments')!],
        fundsledgerentries: [...unsettled.get('fundsledgerentries')!],
      });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    const leftOut = new Map(
      MONEY_COLLECTIONS.map((c) => [c, new Set([...(excluded.get(c) ?? []), ...(unsettled.get(c) ?? [])])]),
    );
    const mongoSide = await readMongoMoney(mongo, { excluded: leftOut });
    const m = mongoSide.figures;
    const checks: MoneyCheck[] = [
      ...allKeys('payments_sum', m.payments, pgFigures.payments),
      ...allKeys('ledger_sum', m.ledgerByType, pgFigures.ledgerByType),
      ...differingKeys('ledger_balance', m.balances, pgFigures.balances),
      ...differingKeys('escrow_net', m.escrowNet, pgFigures.escrowNet),
      ...allKeys(
        'ledger_sign',
        withAllTypes(m.signContradictions),
        withAllTypes(pgFigures.signContradictions),
      ),
    ];
    const unreadable = Object.values(mongoSide.unreadable).some((ids) => ids.length > 0);
    return {
      ok: !unreadable && checks.every((c) => c.ok),
      checks,
      excluded: Object.fromEntries(
        MONEY_COLLECTIONS.map((c) => [
          c,
          { rejected: excluded.get(c)?.size ?? 0, unsettled: unsettled.get(c)?.size ?? 0 },
        ]),
      ),
      read: mongoSide.read,
      unreadable: mongoSide.unreadable,
    };
  } catch (error) {
    throw new VerifyError('payments+fundsledgerentries', 'money', error);
  }
}

function allKeys(name: string, mongo: Map<string, string>, pg: Map<string, string>): MoneyCheck[] {
  return [...new Set([...mongo.keys(), ...pg.keys()])].sort().map((key) => {
    const m = mongo.get(key) ?? ZERO;
    const p = pg.get(key) ?? ZERO;
    return { name, key, mongo: m, pg: p, ok: m === p };
  });
}

/** Per-entity figures: every differing key, then one summary line counting the keys that agree. */
function differingKeys(name: string, mongo: Map<string, string>, pg: Map<string, string>): MoneyCheck[] {
  const all = allKeys(name, mongo, pg);
  const differing = all.filter((c) => !c.ok);
  return [
    ...differing,
    {
      name,
      key: 'keys',
      mongo: String(mongo.size),
      pg: String(pg.size),
      ok: differing.length === 0 && mongo.size === pg.size,
    },
  ];
}

/** The sign invariant reports every debit and credit type, zero included, so a green verdict shows it ran. */
function withAllTypes(counts: Map<string, string>): Map<string, string> {
  const out = new Map(counts);
  for (const type of ['escrow_hold', 'platform_fee', 'aml_fee', 'escrow_release', 'payout', 'refund'])
    if (!out.has(type)) out.set(type, '0');
  return out;
}

async function openRejectIds(
  client: pg.ClientBase,
  collections: string[],
): Promise<Map<string, Set<string>>> {
  const { rows } = await client.query<{ collection: string; legacy_object_id: string }>(
    `SELECT collection, legacy_object_id FROM migration_rejects
      WHERE resolved_at IS NULL AND collection = ANY($1::text[])`,
    [collections],
  );
  const out = new Map(collections.map((c) => [c, new Set<string>()]));
  for (const row of rows) out.get(row.collection)!.add(row.legacy_object_id);
  return out;
}
