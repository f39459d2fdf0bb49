import type pg from 'pg';

/**
 * `strangler gaps --retry-dead`: dead gaps become open and due now, with their attempts reset (the
 * data or the mapper was fixed; they get a full set of attempts again). Their last error stays until a
 * drain replaces it.
 *
 * A document may have several dead gaps, and may already have an open one; only one open gap per
 * document can exist (`pg_dualwrite_gaps_open_uq`). So the newest dead gap of each document reopens,
 * unless the document has an open gap already; the others stay dead until that open gap drains, which
 * resolves them with it (src/gaps/sql/settleGaps.ts). Returns the gaps reopened.
 */
export async function reopenDeadGaps(pool: pg.Pool, filter: { collection?: string } = {}): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reopenOnce(pool, filter.collection ?? null);
    } catch (error) {
      // A failure recorded on one of these documents between the check and the update opened a gap
      // first (23505 on the open-gap index): look again.
      if ((error as { code?: unknown }).code !== '23505' || attempt >= 3) throw error;
    }
  }
}

async function reopenOnce(pool: pg.Pool, collection: string | null): Promise<number> {
  const { rowCount } = await pool.query(
    `WITH newest AS (
       SELECT DISTINCT ON (collection, legacy_object_id) id
         FROM pg_dualwrite_gaps d
        WHERE d.status = 'dead' AND ($1::text IS NULL OR d.collection = $1)
          AND NOT EXISTS (
            SELECT 1 FROM pg_dualwrite_gaps o
             WHERE o.collection = d.collection AND o.legacy_object_id = d.legacy_object_id AND o.status = 'open')
        ORDER BY collection, legacy_object_id, id DESC
     )
     UPDATE pg_dualwrite_gaps g
        SET status = 'open', attempts = 0, next_attempt_at = clock_timestamp(), resolved_at = NULL
       FROM newest WHERE g.id = newest.id`,
    [collection],
  );
  return rowCount ?? 0;
}
