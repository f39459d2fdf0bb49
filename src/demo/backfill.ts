import { startBackfill } from '../backfill/start.js';
import { getRunProgress } from '../backfill/progress.js';
import type { RunProgress } from '../backfill/types.js';
import { watchRun } from '../cli/progress.js';
import { collectionStatuses, type CollectionStatus } from '../status/collections.js';
import { formatTable } from '../status/table.js';
import type { WorkerDeps } from '../workers/deps.js';
import { say } from './steps.js';

/**
 * A backfill of every collection (a delta one with `since`), with the same live progress as
 * `strangler backfill --wait`, then its per-collection summary on stdout.
 */
export async function backfillAndWait(deps: WorkerDeps, options: { since?: Date }): Promise<RunProgress> {
  const { runId } = await startBackfill(deps, { collections: 'all', since: options.since });
  say(`backfill ${runId}${options.since ? ` (delta since ${options.since.toISOString()})` : ''} started`);
  const progress = await watchRun({ poll: () => getRunProgress(deps.db, runId) });
  process.stdout.write(summary(progress, await collectionStatuses(deps)));
  return progress;
}

/** Per collection: source documents, migrated rows, this run's rejects, and how long it took. */
function summary(progress: RunProgress, statuses: readonly CollectionStatus[]): string {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const rows = progress.collections.map((c) => [
    c.name,
    byName.get(c.name)?.source ?? 0,
    byName.get(c.name)?.migrated ?? 0,
    c.docsRejected,
    c.startedAt && c.finishedAt ? ((c.finishedAt.getTime() - c.startedAt.getTime()) / 1000).toFixed(2) : '-',
  ]);
  const seconds = progress.finishedAt
    ? (progress.finishedAt.getTime() - progress.createdAt.getTime()) / 1000
    : 0;
  return (
    `\nrun ${progress.runId}: ${progress.status}${progress.error ? ` (${progress.error})` : ''}\n` +
    formatTable(['collection', 'source', 'migrated', 'rejected', 'seconds'], rows) +
    `${progress.totals.docsRead} documents in ${seconds.toFixed(1)} s\n`
  );
}
