import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLedgerEntry } from '../../src/db/repositories/ledgerEntries.js';
import { openPendingCheckout } from '../../src/db/repositories/payments.js';
import { asLegacyId, asPgUuid, type PgUuid } from '../../src/db/ids.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** pg-mode writes keyed on the natural idempotency keys of plan §5, under real concurrency. */
describe('idempotent writes on the partial unique indexes', () => {
  let database: TestDatabase;
  let buyer: PgUuid;
  beforeAll(async () => {
    database = await createTestDatabase();
    buyer = asPgUuid(randomUUID());
    await database.db.$client.query(
      `INSERT INTO users (id, legacy_object_id) VALUES ($1, 'aaaaaaaaaaaaaaaaaaaaaaaa')`,
      [buyer],
    );
  });
  afterAll(async () => {
    await database?.drop();
  });

  const entry = (idempotencyKey: string | null) => ({
    id: asPgUuid(randomUUID()),
    legacyObjectId: asLegacyId(randomUUID()),
    userId: buyer,
    type: 'aml_fee' as const,
    amount: '-0.000000000000000001',
    currency: 'USDT',
    idempotencyKey,
    purchaseRequestRefKind: 'none' as const,
    paymentRefKind: 'none' as const,
  });

  it('ten concurrent ledger writes with one idempotency key leave one entry, and all see it', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => recordLedgerEntry(database.db, entry('confirm:p1'))),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const { rows } = await database.db.$client.query(
      `SELECT amount::text FROM funds_ledger_entries WHERE idempotency_key = 'confirm:p1'`,
    );
    expect(rows).toEqual([{ amount: '-0.000000000000000001' }]);
  });

  it('entries without a key are never merged (the sparse index)', async () => {
    const [a, b] = await Promise.all([
      recordLedgerEntry(database.db, entry(null)),
      recordLedgerEntry(database.db, entry(null)),
    ]);
    expect(a!.id).not.toBe(b!.id);
    expect(a!.created && b!.created).toBe(true);
  });

  const checkout = (template: string) => ({
    id: asPgUuid(randomUUID()),
    legacyObjectId: asLegacyId(randomUUID()),
    buyerId: buyer,
    amount: '12.5',
    purchaseRequestRefKind: 'template' as const,
    purchaseRequestExternalRef: template,
    sellerOfferRefKind: 'template' as const,
    sellerOfferExternalRef: template,
    sellerRefKind: 'none' as const,
  });

  it('a pending checkout opens once per buyer and template; another template opens its own', async () => {
    const clicks = await Promise.all(
      Array.from({ length: 5 }, () => openPendingCheckout(database.db, checkout('tmpl_a'))),
    );
    expect(new Set(clicks.map((c) => c.id)).size).toBe(1);
    expect(clicks.filter((c) => c.created)).toHaveLength(1);
    const other = await openPendingCheckout(database.db, checkout('tmpl_b'));
    expect(other.created).toBe(true);
    expect(other.id).not.toBe(clicks[0]!.id);
    // Once the first checkout completes, the same buyer may open a new pending one.
    await database.db.$client.query(`UPDATE payments SET status = 'completed' WHERE id = $1`, [
      clicks[0]!.id,
    ]);
    const again = await openPendingCheckout(database.db, checkout('tmpl_a'));
    expect(again.created).toBe(true);
  });
});
