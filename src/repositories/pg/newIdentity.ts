import { ObjectId } from 'bson';
import type pg from 'pg';
import { allocateIds } from '../../backfill/sql/idMap.js';
import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';

/**
 * A new document's identity, allocated as MongoDB would: a fresh ObjectId (its hex is the legacy id the
 * caller gets), and its `id_map` entry (plan §3, the backfill's own allocator), whose uuid is the row's
 * `id`. Inside the write's transaction: a rolled-back create leaves no entry behind.
 */
export async function newIdentity(
  client: pg.ClientBase,
  collection: string,
): Promise<{ legacyId: LegacyId; uuid: PgUuid }> {
  const legacyId = asLegacyId(new ObjectId().toHexString());
  const uuid = (await allocateIds(client, collection, [legacyId])).get(legacyId);
  if (!uuid) throw new Error(`id_map: no uuid allocated for ${collection} ${legacyId}`);
  return { legacyId, uuid };
}
