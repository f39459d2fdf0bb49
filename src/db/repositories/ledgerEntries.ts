import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { fundsLedgerEntries } from '../schema/index.js';

export type NewLedgerEntry = typeof fundsLedgerEntries.$inferInsert;

/**
 * Records a ledger entry once per idempotency key (pg mode, plan §5): a retried payment confirmation
 * that carries the same key gets the entry written the first time, not a second one. The conflict
 * target names the partial unique index through its predicate (`targetWhere`); entries without a key
 * are always inserted, as in Mongo's sparse index.
 */
export async function recordLedgerEntry(
  db: Db,
  entry: NewLedgerEntry,
): Promise<{ id: string; created: boolean }> {
  const [row] = await db
    .insert(fundsLedgerEntries)
    .values(entry)
    .onConflictDoUpdate({
      target: fundsLedgerEntries.idempotencyKey,
      targetWhere: sql`idempotency_key IS NOT NULL`,
      // A no-op update, so RETURNING yields the existing entry; xmax = 0 only on a fresh insert.
      set: { idempotencyKey: sql`${fundsLedgerEntries.idempotencyKey}` },
    })
    .returning({ id: fundsLedgerEntries.id, created: sql<boolean>`(xmax = 0)` });
  return { id: row!.id, created: row!.created };
}
