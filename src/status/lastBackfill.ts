import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { backfillRunCollections, backfillRuns } from '../db/schema/backfill.js';
import type { RunCollectionStatus } from '../backfill/types.js';

export interface LastBackfill {
  runId: string;
  /** The collection's own state in that run (a run can fail while this collection completed). */
  status: RunCollectionStatus;
  finishedAt: Date | null;
}

/** The newest run that included each collection: one DISTINCT ON query for all of them. */
export async function lastBackfills(db: Db): Promise<Map<string, LastBackfill>> {
  const c = backfillRunCollections;
  const rows = await db
    .selectDistinctOn([c.collection], {
      collection: c.collection,
      runId: c.runId,
      status: c.status,
      finishedAt: c.finishedAt,
    })
    .from(c)
    .innerJoin(backfillRuns, eq(backfillRuns.id, c.runId))
    .orderBy(c.collection, desc(backfillRuns.createdAt));
  return new Map(rows.map(({ collection, ...last }) => [collection, last]));
}
