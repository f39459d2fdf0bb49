import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { dualwriteGaps, gapDirection } from '../db/schema/dualwriteGaps.js';
import type { CountsByCollection } from './counts.js';

export const GAP_STATUSES = ['open', 'resolved', 'dead'] as const;
export type GapStatus = (typeof GAP_STATUSES)[number];

/** forward: MongoDB has the write, Postgres not (dual mode); reverse: the other way (pg mode). */
export const GAP_DIRECTIONS = gapDirection.enumValues;
export type GapDirection = (typeof GAP_DIRECTIONS)[number];

export interface GapRow {
  id: number;
  collection: string;
  legacyId: string;
  /** The `_id` as canonical Extended JSON: `{"$oid":…}` for an ObjectId, `"…"` for a string. */
  idJson: string | null;
  op: 'upsert' | 'delete';
  direction: GapDirection;
  status: GapStatus;
  attempts: number;
  lastError: string | null;
  firstSeenAt: Date;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date;
  resolvedAt: Date | null;
}

export interface GapFilter {
  /** @defaultValue ['open'] */
  statuses?: readonly GapStatus[];
  collection?: string;
  /** @defaultValue both */
  direction?: GapDirection;
  /** @defaultValue 100 */
  limit?: number;
}

/** Gaps of the given statuses, next due first (dead ones by age), plus how many match in all. */
export async function listGaps(db: Db, filter: GapFilter = {}): Promise<{ total: number; gaps: GapRow[] }> {
  const g = dualwriteGaps;
  const { statuses = ['open'], collection, direction, limit = 100 } = filter;
  const where = and(
    inArray(g.status, [...statuses]),
    collection === undefined ? undefined : eq(g.collection, collection),
    direction === undefined ? undefined : eq(g.direction, direction),
  );
  const [gaps, totals] = await Promise.all([
    db
      .select({
        id: g.id,
        collection: g.collection,
        legacyId: g.legacyId,
        idJson: g.idJson,
        op: g.op,
        direction: g.direction,
        status: g.status,
        attempts: g.attempts,
        lastError: g.lastError,
        firstSeenAt: g.firstSeenAt,
        lastAttemptAt: g.lastAttemptAt,
        nextAttemptAt: g.nextAttemptAt,
        resolvedAt: g.resolvedAt,
      })
      .from(g)
      .where(where)
      .orderBy(
        // open before dead before resolved, then the next due (open) or the oldest (dead) first.
        sql`array_position(array['open','dead','resolved']::dualwrite_gap_status[], ${g.status})`,
        asc(g.nextAttemptAt),
        asc(g.id),
      )
      .limit(limit),
    db.select({ n: count() }).from(g).where(where),
  ]);
  return { total: totals[0]?.n ?? 0, gaps };
}

/** Open and dead gaps, and the age of the oldest open one. */
export interface GapTotals {
  open: number;
  dead: number;
  /** Seconds since the oldest open gap's first failure; null when none is open. */
  oldestOpenAgeSeconds: number | null;
}

/** Open and dead gaps of one collection in one direction. */
export interface GapGroup extends GapTotals {
  collection: string;
  direction: GapDirection;
}

export interface GapSummary extends GapTotals {
  byCollection: GapGroup[];
  /**
   * The totals of each direction apart, both always present: a forward gap waits on Postgres, a reverse
   * one on MongoDB, and a pile-up of either says which store is behind.
   */
  byDirection: Record<GapDirection, GapTotals>;
}

/**
 * Open and dead gaps per collection and direction, with the age of the oldest open one: one query,
 * over unresolved rows only (resolved gaps are history and may be many).
 */
export async function summarizeGaps(
  db: Db,
  filter: { collection?: string; direction?: GapDirection } = {},
): Promise<GapSummary> {
  const byCollection: SQL = sql.join(
    [
      filter.collection === undefined ? undefined : sql`AND collection = ${filter.collection}`,
      filter.direction === undefined ? undefined : sql`AND direction = ${filter.direction}`,
    ].filter((part) => part !== undefined),
    sql` `,
  );
  const { rows } = await db.execute<{
    collection: string;
    direction: GapDirection;
    open: string;
    dead: string;
    oldest: string | null;
  }>(sql`
    SELECT collection, direction,
           count(*) FILTER (WHERE status = 'open') AS open,
           count(*) FILTER (WHERE status = 'dead') AS dead,
           extract(epoch FROM now() - min(first_seen_at) FILTER (WHERE status = 'open')) AS oldest
      FROM pg_dualwrite_gaps
     WHERE status IN ('open', 'dead') ${byCollection}
     GROUP BY collection, direction
     ORDER BY collection, direction`);
  const groups = rows.map((row) => ({
    collection: row.collection,
    direction: row.direction,
    open: Number(row.open),
    dead: Number(row.dead),
    oldestOpenAgeSeconds: row.oldest === null ? null : Math.max(0, Math.round(Number(row.oldest))),
  }));
  return {
    ...totalsOf(groups),
    byCollection: groups,
    byDirection: {
      forward: totalsOf(groups.filter((g) => g.direction === 'forward')),
      reverse: totalsOf(groups.filter((g) => g.direction === 'reverse')),
    },
  };
}

function totalsOf(groups: readonly GapGroup[]): GapTotals {
  const ages = groups.flatMap((g) => (g.oldestOpenAgeSeconds === null ? [] : [g.oldestOpenAgeSeconds]));
  return {
    open: groups.reduce((n, g) => n + g.open, 0),
    dead: groups.reduce((n, g) => n + g.dead, 0),
    oldestOpenAgeSeconds: ages.length > 0 ? Math.max(...ages) : null,
  };
}

/** Gaps ever resolved, per collection: only grows (a row is never deleted), so it serves as a counter. */
export async function countResolvedGaps(db: Db): Promise<CountsByCollection> {
  const rows = await db
    .select({ collection: dualwriteGaps.collection, n: count() })
    .from(dualwriteGaps)
    .where(eq(dualwriteGaps.status, 'resolved'))
    .groupBy(dualwriteGaps.collection);
  return new Map(rows.map((row) => [row.collection, Number(row.n)]));
}
