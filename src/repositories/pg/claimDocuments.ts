import type pg from 'pg';
import type { GapOp } from '../../gaps/sql/upsertOpenGap.js';
import { idValue } from '../../collections/unmapping.js';
import type { LegacyId } from '../../db/ids.js';
import { lockDocuments } from '../../sync/locks.js';
import { noteWrite } from '../seam/writeLog.js';

export interface ClaimedDocument {
  legacyId: LegacyId;
  /**
   * What the seam is told (default 'upsert'). null locks without noting: for a tombstoned row, which
   * stands for no document (its document left MongoDB, or no longer maps), so there is nothing to mirror.
   */
  op?: GapOp | null;
}

/**
 * What a Postgres write does for each document before it changes its rows, inside its transaction:
 *
 * 1. notes it for the seam (noteWrite, with the `_id` as MongoDB holds it: an ObjectId for a 24-hex id),
 *    BEFORE the write, as the Mongo repositories do: a write whose outcome is unknown may have landed,
 *    and mirroring a document that did not change is harmless;
 * 2. takes the forward sync's own per-document advisory lock (src/sync/locks.ts, keyed by the same
 *    `_id` value), so a forward sync, a mirror or a reverse drain of the document never interleaves
 *    with this transaction. The lock lasts until commit or rollback.
 *
 * Take every lock a transaction needs in as few calls as possible (lockDocuments sorts them), and
 * before any row lock on those documents, so two writers and a sync queue instead of deadlocking.
 */
export async function claimDocuments(
  client: pg.ClientBase,
  collection: string,
  documents: readonly ClaimedDocument[],
): Promise<void> {
  if (documents.length === 0) return;
  const ids = documents.map(({ legacyId, op = 'upsert' }) => {
    const id = idValue(legacyId);
    if (op !== null) noteWrite(collection, id, op);
    return id;
  });
  await lockDocuments(client, collection, ids);
}
