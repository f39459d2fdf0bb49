import type { PoolClientLike } from '../spec.js';

/**
 * Seeds derivation_counters (plan §4.5): the next index of each (buyer, chain) is one past the highest
 * index the source ever allocated. That includes destinations that were *rejected*: their address was
 * derived and may hold funds, so handing its index out again would derive the same address twice. Their
 * raw documents (canonical EJSON in migration_rejects) still name the buyer and chain. GREATEST keeps a
 * counter that pg mode already advanced, so running it again changes nothing.
 */
export const INIT_DERIVATION_COUNTERS = `
  WITH allocated AS (
    SELECT buyer_id, chain::text AS chain, derivation_index FROM derived_destinations
    UNION ALL
    SELECT m.new_id, r.raw ->> 'chain',
           COALESCE(r.raw -> 'derivationIndex' ->> '$numberInt', r.raw -> 'derivationIndex' ->> '$numberLong',
                    r.raw ->> 'derivationIndex')::numeric::int
      FROM migration_rejects r
      JOIN id_map m ON m.collection = 'users' AND m.legacy_object_id = lower(r.raw -> 'buyerId' ->> '$oid')
      JOIN users u ON u.id = m.new_id
     WHERE r.collection = 'deriveddestinations' AND r.resolved_at IS NULL
       AND r.raw ->> 'chain' IN ('ethereum', 'tron', 'bsc', 'polygon')
       AND COALESCE(r.raw -> 'derivationIndex' ->> '$numberInt', r.raw -> 'derivationIndex' ->> '$numberLong',
                    r.raw ->> 'derivationIndex') ~ '^[0-9]+(\\.0+)?$'
  )
  INSERT INTO derivation_counters (buyer_id, chain, next_index)
  SELECT buyer_id, chain::destination_chain, max(derivation_index) + 1 FROM allocated GROUP BY buyer_id, chain
  ON CONFLICT (buyer_id, chain)
  DO UPDATE SET next_index = GREATEST(derivation_counters.next_index, EXCLUDED.next_index)`;

export async function initDerivationCounters(client: PoolClientLike): Promise<void> {
  await client.query(INIT_DERIVATION_COUNTERS);
}

/**
 * Raises the counters of the (buyer, chain) pairs of some destinations a sync just wrote, to one past
 * the highest index Postgres holds for each pair: after dual-mode allocations, pg mode must never hand
 * out an index MongoDB already used. Tombstoned rows count (their address was derived). GREATEST only
 * ever raises a counter.
 */
export async function raiseDerivationCounters(
  client: PoolClientLike,
  legacyIds: readonly string[],
): Promise<void> {
  await client.query(
    `INSERT INTO derivation_counters (buyer_id, chain, next_index)
     SELECT d.buyer_id, d.chain, max(d.derivation_index) + 1
       FROM derived_destinations d
      WHERE (d.buyer_id, d.chain) IN (
              SELECT buyer_id, chain FROM derived_destinations WHERE legacy_object_id = ANY($1::text[]))
      GROUP BY d.buyer_id, d.chain
     ON CONFLICT (buyer_id, chain)
     DO UPDATE SET next_index = GREATEST(derivation_counters.next_index, EXCLUDED.next_index)`,
    [legacyIds],
  );
}
