import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal128, Int32, Long } from 'bson';
import type { Document } from 'mongodb';
import { REGISTRY } from '../../src/collections/registry.js';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase, type SeedResult } from '../../src/synthetic/seed.js';
import { expectAccountsBalance, legacyIdText, liveRowsWhere, type Sql } from '../support/accounting.js';
import { ExactSums, formatScaled, normaliseDecimalText, readMoney } from '../support/exactDecimal.js';
import { tableShape } from '../../src/backfill/sql/tableShape.js';
import { allLinkProblems, linkChecks } from '../support/links.js';
import { startTestStack, type TestStack } from '../support/stack.js';

describe("the money oracle's exact decimal reading (docs/data-policy.md, Values → Money)", () => {
  const read = (value: unknown) => {
    const reading = readMoney(value);
    return reading.ok ? formatScaled(reading.scaled) : reading.reason;
  };

  it('takes every shape the legacy data holds, exactly', () => {
    expect(read(Decimal128.fromString('1234.500000000000000001'))).toBe('1234.500000000000000001');
    expect(read(Decimal128.fromString('-0.000000000000000001'))).toBe('-0.000000000000000001');
    expect(read(Decimal128.fromString('1E-7'))).toBe('0.0000001');
    expect(read(Decimal128.fromString('12E+3'))).toBe('12000');
    expect(read(Decimal128.fromString('-0'))).toBe('0');
    expect(read(0.1)).toBe('0.1');
    expect(read(1e-7)).toBe('0.0000001');
    expect(read(new Int32(42))).toBe('42');
    expect(read(Long.fromString('-9223372036854775808'))).toBe('-9223372036854775808');
    expect(read('00012.340')).toBe('12.34');
    expect(read('-7')).toBe('-7');
  });

  it('refuses what the policy rejects, never rounding', () => {
    expect(read(undefined)).toBe('missing_field');
    expect(read(null)).toBe('missing_field');
    expect(read(Decimal128.fromString('0.1234567890123456789'))).toBe('invalid_money');
    expect(read(Decimal128.fromString('1.0000000000000000000'))).toBe('invalid_money');
    expect(read(Decimal128.fromString('123456789012345678901'))).toBe('invalid_money');
    expect(read(Decimal128.fromString('NaN'))).toBe('invalid_money');
    expect(read(Decimal128.fromString('Infinity'))).toBe('invalid_money');
    expect(read(Number.NaN)).toBe('invalid_money');
    expect(read(1e-19)).toBe('invalid_money');
    expect(read('12,5')).toBe('invalid_money');
    expect(read('')).toBe('invalid_money');
    expect(read({ value: 1 })).toBe('invalid_money');
  });

  it('adds exactly where doubles do not', () => {
    const sums = new ExactSums();
    for (const value of [0.1, 0.2, Decimal128.fromString('0.000000000000000001'), '-0.3']) {
      const reading = readMoney(value);
      if (reading.ok) sums.add('g', reading.scaled);
    }
    expect(sums.toRecord()).toEqual({ g: '0.000000000000000001' });
    expect(normaliseDecimalText('-0.000000000000000000')).toBe('0');
    expect(normaliseDecimalText('0012.300000000000000000')).toBe('12.3');
  });
});

/**
 * The money core after a full run (plan Phase 4 exit criteria): ledger and payment sums equal an oracle
 * computed from the raw Mongo documents with its own exact arithmetic, every link of the cycle equals its
 * source, derivation counters continue from the migrated maximum, and every constraint holds.
 */
describe('the money core after a full backfill', () => {
  let stack: TestStack;
  let seed: SeedResult;
  const sql = (): Sql => stack.pg.db.$client;
  beforeAll(async () => {
    stack = await startTestStack();
    seed = await seedDatabase(stack.source, { docs: 8000, seed: 99, quirkRate: 0.04 });
    stack.startWorkers(4);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 500 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('every document of every collection is migrated or rejected, by id', async () => {
    await expectAccountsBalance(stack.source, sql());
  });

  /**
   * The oracle: exact sums, per group, of the documents that migrated, computed from the raw documents
   * alone. The documents left out are the open rejects, which must be exactly those the generator
   * labelled rejected; and a document whose money the policy refuses must be among them.
   */
  async function oracleSums(
    collection: string,
    amountOf: (doc: Document) => unknown,
    groupOf: (doc: Document) => unknown[],
  ): Promise<Record<string, string>> {
    const { rows } = await sql().query<{ id: string }>(
      `SELECT legacy_object_id AS id FROM migration_rejects WHERE collection = $1 AND resolved_at IS NULL`,
      [collection],
    );
    const rejected = new Set(rows.map((r) => r.id));
    const labelled = seed.quirks
      .filter((q) => q.collection === collection && q.expect.outcome === 'rejected')
      .map((q) => q.id);
    expect([...rejected].sort(), `${collection}: open rejects vs labelled rejects`).toEqual(labelled.sort());
    const sums = new ExactSums();
    const refusedButMigrated: string[] = [];
    let added = 0;
    for await (const doc of stack.source.collection(collection).find({})) {
      const id = legacyIdText(doc._id);
      const money = readMoney(amountOf(doc));
      if (rejected.has(id)) continue;
      if (!money.ok) refusedButMigrated.push(`${id}: ${money.reason} (${money.detail})`);
      else {
        sums.add(JSON.stringify(groupOf(doc)), money.scaled);
        added += 1;
      }
    }
    expect(refusedButMigrated, `${collection}: migrated though the policy refuses the money`).toEqual([]);
    expect(added).toBeGreaterThan(100);
    return sums.toRecord();
  }

  /** Postgres sums of the live rows, grouped by two columns aliased a and b, read as numeric text. */
  async function pgSums(
    client: Sql,
    collection: string,
    groupColumns: string,
  ): Promise<Record<string, string>> {
    const spec = REGISTRY.get(collection);
    const { rows } = await client.query<{ a: string | null; b: string | null; total: string }>(
      `SELECT ${groupColumns}, sum(amount)::text AS total
         FROM ${tableShape(spec.table).quoted} ${await liveRowsWhere(client, spec)} GROUP BY 1, 2`,
    );
    return Object.fromEntries(
      rows
        .map((r) => [JSON.stringify([r.a, r.b]), normaliseDecimalText(r.total)] as const)
        .sort(([x], [y]) => x.localeCompare(y)),
    );
  }

  // Absent status/provider take the model's default (legacy-schema.md); the ledger has no defaults.
  const paymentsOracle = () =>
    oracleSums(
      'payments',
      (doc) => (doc.amount as { value?: unknown } | null | undefined)?.value,
      (doc) => [doc.status ?? 'pending', doc.provider ?? 'request.network'],
    );
  const paymentsInPg = (client: Sql) => pgSums(client, 'payments', 'status::text AS a, provider::text AS b');
  const ledgerOracle = () =>
    oracleSums(
      'fundsledgerentries',
      (doc) => doc.amount,
      (doc) => [doc.type ?? null, doc.currency ?? null],
    );
  const ledgerInPg = (client: Sql) => pgSums(client, 'fundsledgerentries', 'type::text AS a, currency AS b');

  it('SUM(payments.amount) by status and provider equals the oracle exactly', async () => {
    const pg = await paymentsInPg(sql());
    expect(Object.keys(pg).length).toBeGreaterThan(3);
    expect(pg).toEqual(await paymentsOracle());
  });

  it('SUM(funds_ledger_entries.amount) by type and currency equals the oracle exactly', async () => {
    const pg = await ledgerInPg(sql());
    expect(Object.keys(pg).length).toBeGreaterThan(3);
    expect(pg).toEqual(await ledgerOracle());
  });

  it('the oracle catches a payment off by 1e-18 and a ledger entry moved to another type', async () => {
    const [payments, ledger] = await Promise.all([paymentsOracle(), ledgerOracle()]);
    const client = await stack.pg.db.$client.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ a: string; b: string }>(
        `UPDATE payments SET amount = amount + 0.000000000000000001
          WHERE id = (SELECT id FROM payments ORDER BY legacy_object_id LIMIT 1)
          RETURNING status::text AS a, provider::text AS b`,
      );
      const group = JSON.stringify([rows[0]!.a, rows[0]!.b]);
      const tampered = await paymentsInPg(client);
      expect(tampered).not.toEqual(payments);
      expect(Object.keys(tampered).filter((g) => tampered[g] !== payments[g])).toEqual([group]);
      const before = readMoney(payments[group]);
      expect(before.ok && formatScaled(before.scaled + 1n)).toBe(tampered[group]);

      await client.query(
        `UPDATE funds_ledger_entries SET type = CASE WHEN type = 'adjustment' THEN 'payout'::funds_ledger_entry_type
                                ELSE 'adjustment'::funds_ledger_entry_type END
          WHERE id = (SELECT id FROM funds_ledger_entries WHERE amount <> 0 ORDER BY legacy_object_id LIMIT 1)`,
      );
      expect(await ledgerInPg(client)).not.toEqual(ledger);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await paymentsInPg(sql())).toEqual(payments);
  });

  it("and MongoDB's own $sum agrees wherever it is exact (Decimal128 amounts of migrated entries)", async () => {
    const { rows: rejects } = await sql().query<{ id: string }>(
      `SELECT legacy_object_id AS id FROM migration_rejects
        WHERE collection = 'fundsledgerentries' AND resolved_at IS NULL`,
    );
    const rejected = new Set(rejects.map((r) => r.id));
    const entries = await stack.source
      .collection('fundsledgerentries')
      .aggregate([{ $match: { amount: { $type: 'decimal' } } }, { $project: { _id: 1 } }])
      .toArray();
    const migrated = entries.map((e) => e._id).filter((id) => !rejected.has(legacyIdText(id)));
    expect(migrated.length).toBeGreaterThan(100);
    const [mongo] = await stack.source
      .collection('fundsledgerentries')
      .aggregate([
        { $match: { _id: { $in: migrated } } },
        { $group: { _id: null, total: { $sum: '$amount' } } },
      ])
      .toArray();
    const { rows } = await sql().query<{ total: string; n: number }>(
      `SELECT sum(amount)::text AS total, count(*)::int AS n FROM funds_ledger_entries
        WHERE legacy_object_id = ANY($1)`,
      [migrated.map(legacyIdText)],
    );
    expect(rows[0]!.n).toBe(migrated.length);
    const reading = readMoney(mongo!.total as Decimal128);
    expect(reading.ok && formatScaled(reading.scaled)).toBe(normaliseDecimalText(rows[0]!.total));
  });

  /** Every reference between the two collections of the cycle, both directions, from the specs. */
  const cycleChecks = () => [
    ...linkChecks(REGISTRY.get('purchaserequests'), 'selleroffers'),
    ...linkChecks(REGISTRY.get('selleroffers'), 'purchaserequests'),
  ];

  it('the purchaserequests ⇄ selleroffers cycle: every link equals its source, both ways', async () => {
    const checks = cycleChecks();
    expect(checks.map((c) => `${c.collection}.${c.path}→${'column' in c ? c.column : c.junction}`)).toEqual([
      'purchaserequests.offers→purchase_request_offers',
      'purchaserequests.acceptedOfferId→accepted_offer_id',
      'selleroffers.purchaseRequestId→purchase_request_id',
    ]);
    expect(await allLinkProblems(stack.source, sql(), checks)).toEqual([]);
    // Not vacuous: links exist on both sides of the cycle.
    const { rows } = await sql().query<{ junction: number; accepted: number }>(
      `SELECT (SELECT count(*)::int FROM purchase_request_offers) AS junction,
              (SELECT count(*)::int FROM purchase_requests WHERE accepted_offer_id IS NOT NULL) AS accepted`,
    );
    expect(rows[0]!.junction).toBeGreaterThan(100);
    expect(rows[0]!.accepted).toBeGreaterThan(10);
    const { rows: fks } = await sql().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_constraint
        WHERE contype = 'f' AND conrelid IN ('purchase_requests'::regclass, 'purchase_request_offers'::regclass)
          AND confrelid = 'seller_offers'::regclass`,
    );
    expect(fks[0]!.n).toBe(2);
  });

  it('the cycle check catches a lost or foreign junction row, a moved offer and a cleared accepted offer', async () => {
    const client = await stack.pg.db.$client.connect();
    try {
      await client.query('BEGIN');
      // Request A lists offer X; B is another request; C has an accepted offer Y.
      const { rows } = await client.query<{ a: string; x: string; b: string; c: string; y: string }>(
        `WITH j AS (SELECT r.legacy_object_id AS a, o.legacy_object_id AS x, r.id AS a_id, o.id AS x_id
                      FROM purchase_request_offers j JOIN purchase_requests r ON r.id = j.purchase_request_id
                      JOIN seller_offers o ON o.id = j.seller_offer_id ORDER BY o.legacy_object_id LIMIT 1),
              b AS (SELECT r.legacy_object_id AS b, r.id AS b_id FROM purchase_requests r, j
                     WHERE r.id <> j.a_id ORDER BY r.legacy_object_id LIMIT 1),
              c AS (SELECT r.legacy_object_id AS c, o.legacy_object_id AS y FROM purchase_requests r
                      JOIN seller_offers o ON o.id = r.accepted_offer_id ORDER BY r.legacy_object_id LIMIT 1),
              gone AS (DELETE FROM purchase_request_offers
                        WHERE (purchase_request_id, seller_offer_id) = (SELECT a_id, x_id FROM j)),
              foreign_row AS (INSERT INTO purchase_request_offers (purchase_request_id, seller_offer_id)
                               SELECT b_id, x_id FROM b, j),
              moved AS (UPDATE seller_offers SET purchase_request_id = (SELECT b_id FROM b)
                         WHERE id = (SELECT x_id FROM j)),
              cleared AS (UPDATE purchase_requests SET accepted_offer_id = NULL
                           WHERE legacy_object_id = (SELECT c FROM c))
         SELECT a, x, b, c, y FROM j, b, c`,
      );
      const { a, x, b, c, y } = rows[0]!;
      expect((await allLinkProblems(stack.source, client, cycleChecks())).sort()).toEqual(
        [
          `purchaserequests/${a} offers: lists ${x}, no purchase_request_offers row`,
          `purchaserequests/${b} offers: purchase_request_offers row to ${x} the source does not list`,
          `purchaserequests/${c} acceptedOfferId: source ${y}, accepted_offer_id → NULL`,
          `selleroffers/${x} purchaseRequestId: source ${a}, purchase_request_id → ${b}`,
        ].sort(),
      );
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
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
