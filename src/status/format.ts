import type { CollectionStatus } from './collections.js';
import { formatTable } from './table.js';

/** `strangler status` without --json. */
export function formatStatusTable(statuses: readonly CollectionStatus[]): string {
  const rows = statuses.map((s) => [
    s.name,
    s.phase,
    s.mode,
    s.source,
    s.migrated,
    s.rejected,
    s.deleted,
    s.anomalies,
    s.gapsOpen,
    s.lastBackfill ? `${s.lastBackfill.status} ${s.lastBackfill.runId.slice(0, 8)}` : null,
    s.lastVerification
      ? `${s.lastVerification.status}${s.lastVerification.mismatches > 0 ? ` (${s.lastVerification.mismatches})` : ''} ${s.lastVerification.at.toISOString()}`
      : null,
  ]);
  return formatTable(
    [
      'COLLECTION',
      'PHASE',
      'MODE',
      'SOURCE',
      'MIGRATED',
      'REJECTED',
      'DELETED',
      'ANOMALIES',
      'GAPS',
      'LAST BACKFILL',
      'VERIFIED',
    ],
    rows,
  );
}
