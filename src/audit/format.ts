import type { AuditReport } from './report.js';

const entries = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');

/** The audit as a person reads it: one block per collection, one line per field. */
export function formatAudit(report: AuditReport): string {
  const lines = [`audit ${report.id} (${report.seconds.toFixed(1)} s)`];
  for (const c of report.collections) {
    const rejected = c.documents - c.migrate;
    lines.push(
      '',
      `${c.collection}: ${c.documents} documents, ${c.migrate} would migrate, ${rejected} would be rejected`,
    );
    if (rejected > 0) lines.push(`  rejects:   ${entries(c.reject)}`);
    if (Object.keys(c.anomalies).length > 0) lines.push(`  anomalies: ${entries(c.anomalies)}`);
    for (const [field, shapes] of Object.entries(c.fields)) lines.push(`  ${field}: ${entries(shapes)}`);
  }
  lines.push(
    '',
    'Refusals only Postgres can make (a unique clash such as a second primary address) show up in the backfill.',
  );
  return `${lines.join('\n')}\n`;
}
