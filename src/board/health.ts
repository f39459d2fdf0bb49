import { sql } from 'drizzle-orm';
import type { RequestHandler } from 'express';
import type { WorkerDeps } from '../workers/deps.js';

export type CheckResult = 'ok' | 'timeout' | 'error';

/** @defaultValue 2000: a probe that waits longer than its orchestrator's timeout is worse than a 503. */
const CHECK_TIMEOUT_MS = 2_000;

async function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult | Error> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([check().then(() => 'ok' as const), timeout]);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness of the three services this process needs. Unauthenticated (orchestrators probe it), so the
 * body says only ok/timeout/error per service; the reason goes to the log.
 */
export function healthz(deps: WorkerDeps, timeoutMs = CHECK_TIMEOUT_MS): RequestHandler {
  const checks = {
    postgres: () => deps.db.execute(sql`SELECT 1`),
    // A round trip on the connection the API enqueues with. BullMQ 6's client interface has no ping, so
    // it reads the queue's own meta hash: harmless, and a real command rather than a status flag.
    redis: async () => {
      const queue = deps.queues.backfill;
      return (await queue.getBackend().client).hget(queue.toKey('meta'), 'version');
    },
    mongo: () => deps.mongo.command({ ping: 1 }),
  };
  return async (_req, res) => {
    const names = Object.keys(checks) as (keyof typeof checks)[];
    const outcomes = await Promise.all(names.map((name) => probe(checks[name], timeoutMs)));
    const results: Record<string, CheckResult> = {};
    const failed: string[] = [];
    names.forEach((name, i) => {
      const outcome = outcomes[i] ?? 'error';
      if (outcome instanceof Error) deps.log.warn({ err: outcome, service: name }, 'health check failed');
      else if (outcome === 'timeout') deps.log.warn({ service: name, timeoutMs }, 'health check timed out');
      results[name] = outcome instanceof Error ? 'error' : outcome;
      if (results[name] !== 'ok') failed.push(name);
    });
    if (failed.length === 0) res.json({ ok: true, checks: results });
    else res.status(503).json({ ok: false, checks: results, failed });
  };
}
