import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import { auditCollection, type AuditMemory } from './auditCollection.js';
import type { AuditReport } from './report.js';

/**
 * Audits the selected collections parents-first (a parent the audit predicts to reject makes its
 * children orphans, as it will in the backfill) and stores the report in Postgres.
 */
export async function runAudit(
  mongo: MongoDb,
  pool: pg.Pool,
  collections: readonly string[] | 'all' = 'all',
): Promise<AuditReport> {
  const started = Date.now();
  const selected = new Set(REGISTRY.select(collections));
  const memory: AuditMemory = { rejected: new Map() };
  const results = [];
  // Every collection is walked (parents too) so that orphans are predicted; only the selection is reported.
  for (const name of REGISTRY.order) {
    const audit = await auditCollection(mongo, REGISTRY.get(name), memory);
    if (selected.has(name)) results.push(audit);
  }
  const seconds = (Date.now() - started) / 1000;
  const { rows } = await pool.query<{ id: string; created_at: Date }>(
    `INSERT INTO audit_reports (collections, seconds, report) VALUES ($1, $2, $3) RETURNING id, created_at`,
    [[...selected], seconds, JSON.stringify(results)],
  );
  return { id: rows[0]!.id, createdAt: rows[0]!.created_at.toISOString(), seconds, collections: results };
}
