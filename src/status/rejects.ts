import { and, asc, count, eq, isNull, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { migrationRejects } from '../db/schema/backfill.js';

export interface RejectFilter {
  collection?: string;
  reason?: string;
  /** @defaultValue 100 */
  limit?: number;
  /** Include the source document (canonical Extended JSON); off by default, it can be large. */
  raw?: boolean;
}

export interface OpenReject {
  id: number;
  collection: string;
  legacyId: string;
  reason: string;
  field: string | null;
  message: string;
  runId: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  raw?: unknown;
}

/** Open (unresolved) rejects, oldest first, plus how many match in all. */
export async function listOpenRejects(
  db: Db,
  filter: RejectFilter = {},
): Promise<{ total: number; rejects: OpenReject[] }> {
  const r = migrationRejects;
  const conditions: SQL[] = [isNull(r.resolvedAt)];
  if (filter.collection) conditions.push(eq(r.collection, filter.collection));
  if (filter.reason) conditions.push(eq(r.reason, filter.reason));
  const where = and(...conditions);
  const columns = {
    id: r.id,
    collection: r.collection,
    legacyId: r.legacyId,
    reason: r.reason,
    field: r.field,
    message: r.message,
    runId: r.runId,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
  };
  const [rows, totals] = await Promise.all([
    filter.raw
      ? db
          .select({ ...columns, raw: r.raw })
          .from(r)
          .where(where)
          .orderBy(asc(r.id))
          .limit(filter.limit ?? 100)
      : db
          .select(columns)
          .from(r)
          .where(where)
          .orderBy(asc(r.id))
          .limit(filter.limit ?? 100),
    db.select({ n: count() }).from(r).where(where),
  ]);
  return { total: totals[0]?.n ?? 0, rejects: rows };
}
