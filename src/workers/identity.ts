import { createHash } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';

/**
 * Which databases a process is connected to. Every job carries its producer's deployment, and a worker
 * serves only jobs of its own: two deployments sharing one Redis and prefix by mistake (a staging worker
 * with production's REDIS_URL, say) must never copy one's data into the other, nor report on it.
 *
 * The Postgres system identifier names the cluster (initdb), whatever host name or proxy reaches it; a
 * physical replica shares it with its primary, which is the same data.
 */
export const deploymentSchema = z.strictObject({
  pgSystemId: z.string().min(1),
  pgDatabase: z.string().min(1),
  mongoDatabase: z.string().min(1),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export async function readDeployment(pool: pg.Pool, mongoDatabase: string): Promise<Deployment> {
  const { rows } = await pool.query<{ system_identifier: string; db: string }>(
    `SELECT system_identifier::text, current_database() AS db FROM pg_control_system()`,
  );
  const row = rows[0];
  if (!row) throw new Error('pg_control_system() returned no row');
  return { pgSystemId: row.system_identifier, pgDatabase: row.db, mongoDatabase };
}

export function sameDeployment(a: Deployment, b: Deployment): boolean {
  return (
    a.pgSystemId === b.pgSystemId && a.pgDatabase === b.pgDatabase && a.mongoDatabase === b.mongoDatabase
  );
}

/** For log lines and error messages. */
export function describeDeployment(d: Deployment): string {
  return `postgres ${d.pgSystemId}/${d.pgDatabase} + mongo ${d.mongoDatabase}`;
}

/**
 * A short, Redis-client-name-safe tag of a deployment. Workers use it as their BullMQ worker name, so
 * `queue.getWorkers()` tells which consumers belong to which deployment.
 */
export function deploymentTag(d: Deployment): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([d.pgSystemId, d.pgDatabase, d.mongoDatabase]))
    .digest('hex');
  return `d-${digest.slice(0, 16)}`;
}
