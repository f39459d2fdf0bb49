import type pg from 'pg';

/**
 * A transaction-scoped advisory lock on one scope of a once-per-scope flag (spec.uniqueFlags: one
 * primary address per user): every write that may move the flag within the scope takes it first, so
 * they run one after the other. It covers what row locks cannot: a scope with no row yet (the first
 * address), and rows inserted after a writer read the scope. The key cannot meet a document lock of
 * src/sync/locks.ts (`collection|{EJSON}`); a hash collision only makes two writers wait.
 */
export async function lockScope(
  client: pg.ClientBase,
  collection: string,
  flag: string,
  scope: string,
): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `${collection}#${flag}|${scope}`,
  ]);
}
