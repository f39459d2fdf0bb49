import type pg from 'pg';
import type { LegacyId } from '../../db/ids.js';

export type GapOp = 'upsert' | 'delete';
export type GapDirection = 'forward' | 'reverse';

export interface OpenGapInput {
  collection: string;
  legacyId: LegacyId;
  idJson: string;
  op: GapOp;
  direction: GapDirection;
  lastError: string;
  /** When the failure happened, if earlier than now (a record moved in from the fallback store). */
  firstSeenAt?: Date;
}

/**
 * Opens a gap, or refreshes the open one of the same document (one open gap per collection and legacy
 * id: the partial unique index `pg_dualwrite_gaps_open_uq`, hence `targetWhere`).
 *
 * A refresh makes the gap due now and keeps its attempts (a document that keeps failing still reaches
 * `dead`). Changing `next_attempt_at` also breaks the lease of a drain that claimed the gap before
 * this failure (src/gaps/sql/claimDueGaps.ts): that drain may have read MongoDB before the write this
 * gap now covers, so it must not resolve it. The direction is the latest writer's, since a collection's
 * mode decides which store is authoritative. A dead or resolved gap of the document is left as history.
 */
export async function upsertOpenGap(db: pg.Pool | pg.ClientBase, gap: OpenGapInput): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO pg_dualwrite_gaps AS g
            (collection, legacy_object_id, id_json, op, direction, last_error, first_seen_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::timestamptz, clock_timestamp()), clock_timestamp())
     ON CONFLICT (collection, legacy_object_id) WHERE status = 'open' DO UPDATE
        SET id_json = EXCLUDED.id_json,
            op = EXCLUDED.op,
            direction = EXCLUDED.direction,
            last_error = EXCLUDED.last_error,
            first_seen_at = LEAST(g.first_seen_at, EXCLUDED.first_seen_at),
            next_attempt_at = clock_timestamp()
     RETURNING id`,
    [gap.collection, gap.legacyId, gap.idJson, gap.op, gap.direction, gap.lastError, gap.firstSeenAt ?? null],
  );
  return Number(rows[0]!.id);
}
