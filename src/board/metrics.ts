import type { RequestHandler } from 'express';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { REGISTRY } from '../collections/registry.js';
import { QUEUE_NAMES } from '../queue/names.js';
import { countMainRows, countOpenRejects, type CountsByCollection } from '../status/counts.js';
import type { WorkerDeps } from '../workers/deps.js';

/**
 * A `count(*)` of every main table is a full scan each; Prometheus scrapes every few seconds. Row counts
 * are therefore reused for this long. @defaultValue 30000
 */
const MIGRATED_TTL_MS = 30_000;

/**
 * The Prometheus registry of one board app: its own Registry, not prom-client's global one, so several
 * apps (tests) can live in one process without "metric already registered". Gauges are filled on scrape.
 */
export function createMetrics(deps: WorkerDeps, migratedTtlMs = MIGRATED_TTL_MS): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'strangler_' });
  const log = deps.log;

  new Gauge({
    name: 'strangler_queue_jobs',
    help: 'BullMQ jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await Promise.all(QUEUE_NAMES.map((name) => deps.queues[name].getJobCounts()));
        QUEUE_NAMES.forEach((queue, i) => {
          for (const [state, n] of Object.entries(counts[i] ?? {})) this.set({ queue, state }, n);
        });
      } catch (error) {
        // A dead Redis must not take the process metrics down with it: leave the gauge empty.
        log.warn({ err: error }, 'metrics: cannot read queue counts');
      }
    },
  });

  let migrated: { at: number; counts: CountsByCollection } | undefined;
  const migratedCounts = async () => {
    if (!migrated || Date.now() - migrated.at > migratedTtlMs) {
      const tables = REGISTRY.specs.map((spec) => ({ collection: spec.collection, table: spec.table }));
      migrated = { at: Date.now(), counts: await countMainRows(deps.db, tables) };
    }
    return migrated.counts;
  };

  new Gauge({
    name: 'strangler_collection_migrated_rows',
    help: `Rows in each collection's main Postgres table (refreshed at most every ${migratedTtlMs / 1000} s)`,
    labelNames: ['collection'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await migratedCounts();
        for (const spec of REGISTRY.specs)
          this.set({ collection: spec.collection }, counts.get(spec.collection) ?? 0);
      } catch (error) {
        log.warn({ err: error }, 'metrics: cannot count migrated rows');
      }
    },
  });

  new Gauge({
    name: 'strangler_collection_rejects_open',
    help: 'Open (unresolved) rows of migration_rejects per collection',
    labelNames: ['collection'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await countOpenRejects(deps.db);
        for (const spec of REGISTRY.specs)
          this.set({ collection: spec.collection }, counts.get(spec.collection) ?? 0);
      } catch (error) {
        log.warn({ err: error }, 'metrics: cannot count rejects');
      }
    },
  });

  return registry;
}

export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(body);
  };
}
