import type pg from 'pg';

/** Legacy ids of these that have an open reject (migration_rejects, resolved_at IS NULL). */
export async function openRejects(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly string[],
): Promise<Set<string>> {
  if (legacyIds.length === 0) return new Set();
  const { rows } = await client.query<{ legacy_object_id: string }>(
    `SELECT legacy_object_id FROM migration_rejects
      WHERE collection = $1 AND resolved_at IS NULL AND legacy_object_id = ANY($2::text[])`,
    [collection, legacyIds],
  );
  return new Set(rows.map((r) => r.legacy_object_id));
}

/**
 * Legacy ids of these with a dual-write gap not drained yet, either direction: `open` (still being
 * retried) and `dead` (attempts exhausted, waiting for retry-dead) both mean the stores are known to differ.
 */
export async function unsettledGaps(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly string[],
): Promise<Set<string>> {
  if (legacyIds.length === 0) return new Set();
  const { rows } = await client.query<{ legacy_object_id: string }>(
    `SELECT DISTINCT legacy_object_id FROM pg_dualwrite_gaps
      WHERE collection = $1 AND status IN ('open', 'dead') AND legacy_object_id = ANY($2::text[])`,
    [collection, legacyIds],
  );
  return new Set(rows.map((r) => r.legacy_object_id));
}
