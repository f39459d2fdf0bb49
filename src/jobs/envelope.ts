import { z } from 'zod';
import { deploymentSchema, type Deployment } from '../workers/identity.js';

/**
 * A job's data is its payload plus the deployment that enqueued it (src/workers/identity.ts). The
 * runtime opens the envelope, serves only its own deployment's jobs, and hands the definition the bare
 * payload, so job files never see the fingerprint.
 */
export type Stamped<T extends object> = T & { deployment: Deployment };

export function stamp<T extends object>(deployment: Deployment, payload: T): Stamped<T> {
  return { ...payload, deployment };
}

const envelope = z.looseObject({ deployment: deploymentSchema });

export type Opened =
  { ok: true; deployment: Deployment; payload: Record<string, unknown> } | { ok: false; error: string };

export function openEnvelope(data: unknown): Opened {
  const parsed = envelope.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`);
    return { ok: false, error: `no valid deployment fingerprint (${issues.join('; ')})` };
  }
  const { deployment, ...payload } = parsed.data;
  return { ok: true, deployment, payload };
}
