import type pg from 'pg';
import type { LegacyId } from '../../db/ids.js';
import type { Anomaly, PendingLink, Reject } from '../../collections/spec.js';

export interface RejectRow {
  legacyId: LegacyId;
  reject: Reject;
  /** Canonical Extended JSON of the source document. */
  raw: unknown;
}

/** One open reject per document: seeing it again refreshes the reason and the raw copy. */
export async function recordRejects(
  client: pg.ClientBase,
  runId: string | null,
  collection: string,
  rejects: readonly RejectRow[],
): Promise<void> {
  if (rejects.length === 0) return;
  const json = JSON.stringify(
    rejects.map(({ legacyId, reject, raw }) => ({
      run_id: runId,
      collection,
      legacy_object_id: legacyId,
      reason: reject.reject,
      field: reject.field ?? null,
      message: reject.message,
      raw,
    })),
  );
  await client.query(
    `INSERT INTO migration_rejects (run_id, collection, legacy_object_id, reason, field, message, raw)
     SELECT run_id, collection, legacy_object_id, reason, field, message, raw
       FROM json_populate_recordset(NULL::migration_rejects, $1::json)
     ON CONFLICT (collection, legacy_object_id) WHERE resolved_at IS NULL DO UPDATE
       SET run_id = EXCLUDED.run_id, reason = EXCLUDED.reason, field = EXCLUDED.field,
           message = EXCLUDED.message, raw = EXCLUDED.raw, last_seen_at = now()`,
    [json],
  );
}

/**
 * Documents that now map, or that left MongoDB: any open reject of theirs is settled (kept, with
 * resolved_at and how it was settled, for history).
 */
export async function resolveRejects(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly LegacyId[],
  resolution: 'migrated' | 'deleted',
): Promise<LegacyId[]> {
  if (legacyIds.length === 0) return [];
  const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
    `UPDATE migration_rejects SET resolved_at = now(), resolution = $3
      WHERE collection = $1 AND legacy_object_id = ANY($2::text[]) AND resolved_at IS NULL
     RETURNING legacy_object_id`,
    [collection, legacyIds, resolution],
  );
  return rows.map((r) => r.legacy_object_id);
}

/** Documents found gone from MongoDB: the fourth outcome, next to migrated, rejected and queued. */
export async function recordDeletions(
  client: pg.ClientBase,
  runId: string | null,
  collection: string,
  retired: { removed: readonly LegacyId[]; tombstoned: readonly LegacyId[] },
): Promise<void> {
  const rows = [
    ...retired.removed.map((id) => ({ id, tombstoned: false })),
    ...retired.tombstoned.map((id) => ({ id, tombstoned: true })),
  ];
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO migration_deletions (collection, legacy_object_id, run_id, tombstoned)
     SELECT $1, r.id, $2::uuid, r.tombstoned FROM json_to_recordset($3::json) AS r(id text, tombstoned boolean)
     ON CONFLICT (collection, legacy_object_id) DO UPDATE
       SET tombstoned = EXCLUDED.tombstoned, run_id = EXCLUDED.run_id, detected_at = now()`,
    [collection, runId, JSON.stringify(rows)],
  );
}

/** Documents written again (restored in MongoDB): they are no longer deleted. */
export async function forgetDeletions(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly LegacyId[],
): Promise<void> {
  if (legacyIds.length === 0) return;
  await client.query(
    `DELETE FROM migration_deletions WHERE collection = $1 AND legacy_object_id = ANY($2::text[])`,
    [collection, legacyIds],
  );
}

/**
 * Records the anomalies and pending links of the documents just written, replacing those of the
 * documents that were already there (`rewritten`): a new document has none to clear.
 */
export async function recordMappingNotes(
  client: pg.ClientBase,
  runId: string | null,
  collection: string,
  mapped: readonly { legacyId: LegacyId; anomalies: readonly Anomaly[]; links: readonly PendingLink[] }[],
  rewritten: readonly LegacyId[],
): Promise<void> {
  if (rewritten.length > 0) {
    for (const table of ['migration_anomalies', 'pending_links']) {
      await client.query(
        `DELETE FROM ${table} WHERE collection = $1 AND legacy_object_id = ANY($2::text[])`,
        [collection, rewritten],
      );
    }
  }
  if (mapped.length === 0) return;
  const anomalies = mapped.flatMap((m) =>
    m.anomalies.map((a) => ({
      collection,
      legacy_object_id: m.legacyId,
      code: a.code,
      field: a.field,
      message: a.message,
      run_id: runId,
    })),
  );
  if (anomalies.length > 0) {
    await client.query(
      `INSERT INTO migration_anomalies (collection, legacy_object_id, code, field, message, run_id)
       SELECT collection, legacy_object_id, code, field, message, run_id
         FROM json_populate_recordset(NULL::migration_anomalies, $1::json)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(anomalies)],
    );
  }
  const links = mapped.flatMap((m) =>
    m.links.map((l) => ({
      collection,
      legacy_object_id: m.legacyId,
      column_name: l.junction ? junctionColumn(l.junction) : l.column,
      parent_collection: l.parent,
      parent_legacy_id: l.parentLegacyId,
    })),
  );
  if (links.length > 0) {
    await client.query(
      `INSERT INTO pending_links (collection, legacy_object_id, column_name, parent_collection, parent_legacy_id)
       SELECT collection, legacy_object_id, column_name, parent_collection, parent_legacy_id
         FROM json_populate_recordset(NULL::pending_links, $1::json)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(links)],
    );
  }
}

/** How a junction link is keyed in pending_links.column_name. */
export const junctionColumn = (junction: string) => `junction:${junction}`;
