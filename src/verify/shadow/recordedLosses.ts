import type pg from 'pg';
import type { FieldDifference } from './diff.js';

/**
 * Drops the differences the backfill recorded as a loss for that very document and field
 * (`migration_anomalies`: a dangling reference written as NULL, a null or duplicate array element
 * dropped, a flag demoted). MongoDB still holds what Postgres knowingly left out, so a read of such a
 * document differs on every call; it is documented data policy, not drift, and must not hold a cutover.
 * Anything else about the document is still compared.
 */
export async function withoutRecordedLosses(
  pool: Pick<pg.Pool, 'query'>,
  collection: string,
  fromMongo: unknown,
  differences: readonly FieldDifference[],
): Promise<FieldDifference[]> {
  const located = differences.map((difference) => ({ difference, ...locate(fromMongo, difference.field) }));
  const ids = [...new Set(located.flatMap((l) => (l.legacyId ? [l.legacyId] : [])))];
  if (ids.length === 0) return [...differences];
  const { rows } = await pool.query<{ legacy_object_id: string; field: string }>(
    `SELECT legacy_object_id, field FROM migration_anomalies WHERE collection = $1 AND legacy_object_id = ANY($2)`,
    [collection, ids],
  );
  if (rows.length === 0) return [...differences];
  const lost = new Map<string, string[]>();
  for (const row of rows)
    lost.set(row.legacy_object_id, [...(lost.get(row.legacy_object_id) ?? []), row.field]);
  return located
    .filter(({ legacyId, path }) => {
      const fields = legacyId ? (lost.get(legacyId) ?? []) : [];
      return !fields.some(
        (field) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`),
      );
    })
    .map((l) => l.difference);
}

/** The document a difference belongs to (a list read's `[i]` element, or the answer itself) and its path in it. */
function locate(answer: unknown, field: string): { legacyId: string | null; path: string } {
  const element = /^\[(\d+)\]\.?/.exec(field);
  const object = element && Array.isArray(answer) ? answer[Number(element[1])] : answer;
  const id = (object as { id?: unknown } | null)?.id;
  return {
    legacyId: typeof id === 'string' ? id : null,
    path: element ? field.slice(element[0].length) : field,
  };
}
