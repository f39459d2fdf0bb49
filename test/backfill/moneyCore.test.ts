import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decimal128 } from 'bson';
import { requiredMoney } from '../../src/collections/mapping/money.js';
import { isFieldReject } from '../../src/collections/mapping/reject.js';
import { legacyIdOf } from '../../src/collections/mapping/legacyId.js';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { canonicalDecimal, fromScaled, toScaled } from '../support/decimal.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The money core after a full run (plan Phase 4 exit criteria): ledger and payment sums equal the Mongo
 * side exactly, the cycle is linked, derivation counters continue from the migrated maximum, and every
 * constraint of the final schema holds.
 */
describe('the money core after a full backfill', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 8000, seed: 99, quirkRate: 0.04 });
    stack.startWorkers(4);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 500 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Exact sums of the migrated documents of a collection, grouped by `groupOf`, from the Mongo side. */
  async function mongoSums(
    collection: string,
    amountOf: (doc: Record<string, unknown>) => unknown,
    groupOf: (doc: Record<string, unknown>) => string,
  ): Promise<Record<string, string>> {
    const { rows } = await stack.pg.db.$client.query<{ legacy_object_id: string }>(
      `SELECT legacy_object_id FROM migration_rejects WHERE collection = $1 AND resolved_at IS NULL`,
      [collection],
    );
    const rejected = new Set(rows.map((r) => r.legacy_object_id));
    const sums = new Map<string, bigint>();
    for await (const doc of stack.source.collection(collection).find({})) {
      if (rejected.has(legacyIdOf(doc._id))) continue;
      const amount = requiredMoney(amountOf(doc), 'amount');
      if (isFieldReject(amount))
        throw new Error(`a migrated document has unreadable money: ${amount.message}`);
      const group = groupOf(doc);
      sums.set(group, (sums.get(group) ?? 0n) + toScaled(amount));
    }
    return Object.fromEntries([...sums].map(([group, sum]) => [group, fromScaled(sum)]));
  }

  async function pgSums(sql: string): Promise<Record<string, string>> {
    const { rows } = await stack.pg.db.$client.query<{ g: string; total: string }>(sql);
    return Object.fromEntries(rows.map((r) => [r.g, canonicalDecimal(r.total)]));
  }

  it('SUM(payments.amount) by status and provider equals the Mongo side exactly', async () => {
    const mongo = await mongoSums(
      'payments',
      (doc) => (doc.amount as { value?: unknown } | undefined)?.value,
      (doc) => `${doc.status ?? 'pending'}/${doc.provider ?? 'request.network'}`,
    );
    const pg = await pgSums(
      `SELECT status || '/' || provider AS g, sum(amount)::text AS total FROM payments GROUP BY 1`,
    );
    expect(Object.keys(pg).length).toBeGreaterThan(3);
    expect(pg).toEqual(mongo);
  });

  it('SUM(funds_ledger_entries.amount) by type equals the Mongo side exactly', async () => {
    const mongo = await mongoSums(
      'fundsledgerentries',
      (doc) => doc.amount,
      (doc) => String(doc.type ?? 'null'),
    );
    const pg = await pgSums(
      `SELECT COALESCE(type::text, 'null') AS g, sum(amount)::text AS total FROM funds_ledger_entries GROUP BY 1`,
    );
    expect(Object.keys(pg).length).toBeGreaterThan(3);
    expect(pg).toEqual(mongo);
  });

  it("and MongoDB's own $sum agrees wherever it is exact (Decimal128-only values)", async () => {
    const [mongo] = await stack.source
      .collection('fundsledgerentries')
      .aggregate([
        { $match: { amount: { $type: 'decimal' } } },
        { $group: { _id: null, total: { $sum: '$amount' }, ids: { $push: '$_id' } } },
      ])
      .toArray();
    const ids = (mongo!.ids as { toHexString(): string }[]).map((id) => id.toHexString());
    const { rows } = await stack.pg.db.$client.query<{ total: string; n: number }>(
      `SELECT sum(amount)::text AS total, count(*)::int AS n FROM funds_ledger_entries
        WHERE legacy_object_id = ANY($1)`,
      [ids],
    );
    // Every Decimal128 ledger amount that Mongo sums was migrated (none is rejected for its amount)…
    const rejected = await stack.pg.db.$client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM migration_rejects WHERE collection = 'fundsledgerentries'
          AND resolved_at IS NULL AND legacy_object_id = ANY($1)`,
      [ids],
    );
    expect(rows[0]!.n + rejected.rows[0]!.n).toBe(ids.length);
    if (rejected.rows[0]!.n === 0) {
      expect(canonicalDecimal(rows[0]!.total)).toBe(
        canonicalDecimal((mongo!.total as Decimal128).toString()),
      );
    }
  });

  it('the purchaserequests ⇄ selleroffers cycle is linked both ways, with the FKs in place', async () => {
    const { rows } = await stack.pg.db.$client.query<{ junction: number; accepted: number; offers: number }>(
      `SELECT (SELECT count(*)::int FROM purchase_request_offers) AS junction,
              (SELECT count(*)::int FROM purchase_requests WHERE accepted_offer_id IS NOT NULL) AS accepted,
              (SELECT count(*)::int FROM seller_offers) AS offers`,
    );
    expect(rows[0]!.junction).toBeGreaterThan(0);
    expect(rows[0]!.accepted).toBeGreaterThan(0);
    // Every junction row joins an offer whose own purchase request is the junction's owner, or is at
    // least a real offer (offers[] is denormalised in Mongo and may list another request's offer).
    const { rows: broken } = await stack.pg.db.$client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM purchase_request_offers j
         LEFT JOIN seller_offers o ON o.id = j.seller_offer_id WHERE o.id IS NULL`,
    );
    expect(broken[0]!.n).toBe(0);
    const { rows: fks } = await stack.pg.db.$client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_constraint
        WHERE contype = 'f' AND conrelid IN ('purchase_requests'::regclass, 'purchase_request_offers'::regclass)
          AND confrelid = 'seller_offers'::regclass`,
    );
    expect(fks[0]!.n).toBe(2);
  });

  // Never below the migrated maximum + 1 (rejected destinations may push it higher: their index was used).
  it('derivation counters continue from the migrated maximum', async () => {
    const { rows } = await stack.pg.db.$client.query<{ missing: number; wrong: number; counters: number }>(
      `WITH m AS (SELECT buyer_id, chain, max(derivation_index) + 1 AS next FROM derived_destinations GROUP BY 1, 2)
       SELECT (SELECT count(*)::int FROM m LEFT JOIN derivation_counters c USING (buyer_id, chain)
                WHERE c.next_index IS NULL) AS missing,
              (SELECT count(*)::int FROM m JOIN derivation_counters c USING (buyer_id, chain)
                WHERE c.next_index < m.next) AS wrong,
              (SELECT count(*)::int FROM derivation_counters) AS counters`,
    );
    expect(rows[0]).toMatchObject({ missing: 0, wrong: 0 });
    expect(rows[0]!.counters).toBeGreaterThan(0);
  });

  it('every CHECK and FOREIGN KEY of the final schema is valid', async () => {
    const { rows } = await stack.pg.db.$client.query<{ contype: string; n: number; invalid: number }>(
      `SELECT contype, count(*)::int AS n, count(*) FILTER (WHERE NOT convalidated)::int AS invalid
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('c', 'f') GROUP BY 1`,
    );
    const byType = Object.fromEntries(rows.map((r) => [r.contype, r]));
    expect(byType.f!.n).toBeGreaterThan(30);
    expect(byType.c!.n).toBeGreaterThan(5);
    expect(rows.every((r) => r.invalid === 0)).toBe(true);
    // Re-check every row from scratch: drop and re-add each constraint (which scans the table), then undo.
    const { rows: constraints } = await stack.pg.db.$client.query<{ t: string; name: string; def: string }>(
      `SELECT conrelid::regclass::text AS t, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND contype IN ('c', 'f')`,
    );
    const client = await stack.pg.db.$client.connect();
    try {
      await client.query('BEGIN');
      for (const c of constraints) {
        await client.query(`ALTER TABLE ${c.t} DROP CONSTRAINT "${c.name}"`);
        await client.query(`ALTER TABLE ${c.t} ADD CONSTRAINT "${c.name}" ${c.def}`);
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    const fks = constraints;
    expect(fks.length).toBeGreaterThan(35);
  });
});
