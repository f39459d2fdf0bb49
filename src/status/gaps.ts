import { asc, count, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { dualwriteGaps } from '../db/schema/dualwriteGaps.js';

export interface OpenGap {
  id: number;
  collection: string;
  legacyId: string;
  op: 'upsert' | 'delete';
  attempts: number;
  lastError: string | null;
  firstSeenAt: Date;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date;
}

/** Open dual-write gaps, next due first, plus the total number open. */
export async function listOpenGaps(db: Db, limit = 100): Promise<{ total: number; gaps: OpenGap[] }> {
  const g = dualwriteGaps;
  const open = eq(g.status, 'open');
  const [gaps, totals] = await Promise.all([
    db
      .select({
        id: g.id,
        collection: g.collection,
        legacyId: g.legacyId,
        op: g.op,
        attempts: g.attempts,
        lastError: g.lastError,
        firstSeenAt: g.firstSeenAt,
        lastAttemptAt: g.lastAttemptAt,
        nextAttemptAt: g.nextAttemptAt,
      })
      .from(g)
      .where(open)
      .orderBy(asc(g.nextAttemptAt), asc(g.id))
      .limit(limit),
    db.select({ n: count() }).from(g).where(open),
  ]);
  return { total: totals[0]?.n ?? 0, gaps };
}
