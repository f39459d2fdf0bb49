import { setTimeout as sleep } from 'node:timers/promises';
import { startVerification } from '../verify/run/start.js';
import { verificationReport, type VerificationReport } from '../verify/run/report.js';
import type { WorkerDeps } from '../workers/deps.js';
import { say } from './steps.js';

/**
 * One verification of every collection through the workers' verify queue, as `strangler verify` runs
 * it, waited for, and told in a line per red collection. A short lag window: the demo's traffic is light.
 */
export async function verifyAll(deps: WorkerDeps, repair = false): Promise<VerificationReport> {
  const started = Date.now();
  const { runId } = await startVerification(
    { pool: deps.db.$client, queue: deps.queues.verify, deployment: deps.deployment },
    { collections: 'all', repair, requestedBy: 'demo', lagMs: 1_500 },
  );
  for (;;) {
    const report = await verificationReport(deps.db.$client, runId);
    if (report?.finishedAt) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      say(`verification ${runId}${repair ? ' with --repair' : ''}: ${report.status} in ${seconds} s`);
      for (const collection of report.collections) {
        for (const found of collection.mismatches) {
          say(
            `  ${collection.name} ${found.id}: ${found.kind} (${found.columns.join(', ') || '-'}), ${found.status}`,
          );
        }
        for (const fixed of collection.repaired) {
          say(`  ${collection.name} ${fixed.id}: ${fixed.kind} (${fixed.columns.join(', ')}) repaired`);
        }
        if (collection.error) say(`  ${collection.name}: ${collection.error}`);
        for (const reason of redChecks(collection.counts, collection.money))
          say(`  ${collection.name}: ${reason}`);
      }
      return report;
    }
    await sleep(500);
  }
}

interface CheckLike {
  ok?: boolean;
  name?: string;
  key?: string;
  path?: string;
  mongo?: unknown;
  pg?: unknown;
  documents?: number;
  rows?: number;
}

/** The count and money checks that are red, one line each (the report keeps them as JSON). */
function redChecks(counts: unknown, money: unknown): string[] {
  const lines: string[] = [];
  const collectionCounts = (counts as { collection?: CheckLike & { references?: CheckLike[] } } | null)
    ?.collection;
  if (collectionCounts && collectionCounts.ok === false) {
    for (const ref of collectionCounts.references ?? []) {
      if (ref.ok === false) lines.push(`count of ${ref.path}: ${ref.documents} documents, ${ref.rows} rows`);
    }
    if (lines.length === 0) lines.push(`counts differ: ${JSON.stringify(collectionCounts)}`);
  }
  const checks = (money as { checks?: CheckLike[] } | null)?.checks ?? [];
  for (const check of checks) {
    if (check.ok === false)
      lines.push(`money ${check.name} ${check.key}: MongoDB ${check.mongo}, Postgres ${check.pg}`);
  }
  return lines;
}
