import type pg from 'pg';
import type { PgUuid } from './ids.js';
import type { destinationChain } from './schema/derivedDestinations.js';

export type DestinationChain = (typeof destinationChain.enumValues)[number];

/** Thrown when allocateDerivationIndex runs outside a transaction: its row lock would end at once. */
export class NotInTransactionError extends Error {
  override readonly name = 'NotInTransactionError';
  constructor() {
    super('allocateDerivationIndex must run inside a transaction (BEGIN … COMMIT)');
  }
}

/**
 * Allocates the next derivation index of (buyer, chain) in pg mode (plan §4.5), replacing Mongo's atomic
 * allocation. Must run inside the caller's transaction, the one that inserts the destination:
 *
 *   1. INSERT … ON CONFLICT DO NOTHING creates the counter at 0 for a buyer's first destination on the
 *      chain (two first-timers racing both end with one row);
 *   2. SELECT … FOR UPDATE locks it, so concurrent allocations for the same (buyer, chain) queue here
 *      until this transaction ends, while other buyers and chains never wait;
 *   3. the value read under the lock is the allocation, and the counter moves one past it.
 *
 * A rollback gives the index back together with the destination, so committed indexes stay gap-free.
 */
export async function allocateDerivationIndex(
  client: pg.ClientBase,
  buyerId: PgUuid,
  chain: DestinationChain,
): Promise<number> {
  // The status of the server's last ReadyForQuery: 'T' inside BEGIN … COMMIT, 'I' in autocommit.
  if (client.getTransactionStatus() !== 'T') throw new NotInTransactionError();
  await client.query(
    `INSERT INTO derivation_counters (buyer_id, chain, next_index) VALUES ($1, $2, 0)
     ON CONFLICT (buyer_id, chain) DO NOTHING`,
    [buyerId, chain],
  );
  const locked = await client.query<{ next_index: number }>(
    `SELECT next_index FROM derivation_counters WHERE buyer_id = $1 AND chain = $2 FOR UPDATE`,
    [buyerId, chain],
  );
  const index = locked.rows[0]?.next_index;
  if (index === undefined) throw new Error(`derivation counter of ${buyerId}/${chain} vanished`);
  await client.query(
    `UPDATE derivation_counters SET next_index = next_index + 1 WHERE buyer_id = $1 AND chain = $2`,
    [buyerId, chain],
  );
  return index;
}
