import type { RequestHandler } from 'express';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { REGISTRY } from '../collections/registry.js';
import { QUEUE_NAMES } from '../queue/names.js';
import { countFallbackRecords } from '../gaps/fallbackStore.js';
import { countMainRows, countOpenRejects, type CountsByCollection } from '../status/counts.js';
import { countResolvedGaps, summarizeGaps, type GapGroup, type GapSummary } from '../status/gaps.js';
import { lastVerifications, type LastVerification } from '../status/lastVerification.js';
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

  registerGapMetrics(registry, deps, migratedTtlMs);
  registerVerificationMetrics(registry, deps);
  return registry;
}

/**
 * The outcome of each collection's latest finished verification, read from Postgres at scrape (the runs
 * happen on the workers). A collection never verified has no series: absent is not green.
 */
function registerVerificationMetrics(registry: Registry, deps: WorkerDeps): void {
  const log = deps.log;
  let latest: { at: number; value: Promise<Map<string, LastVerification>> } | undefined;
  const current = () => {
    if (!latest || Date.now() - latest.at > GAP_SUMMARY_TTL_MS) {
      latest = { at: Date.now(), value: lastVerifications(deps.db.$client) };
    }
    return latest.value;
  };
  const perCollection = (name: string, help: string, value: (last: LastVerification) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['collection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for (const [collection, last] of await current()) this.set({ collection }, value(last));
        } catch (error) {
          log.warn({ err: error }, 'metrics: cannot read the latest verifications');
        }
      },
    });
  perCollection(
    'strangler_verification_status',
    "Outcome of the collection's latest finished verification: 1 green, 0 red or failed",
    (last) => (last.status === 'green' ? 1 : 0),
  );
  perCollection(
    'strangler_verification_mismatches',
    "Confirmed mismatches of the collection's latest finished verification",
    (last) => last.mismatches,
  );
  perCollection(
    'strangler_verification_last_finished_seconds',
    "Unix time the collection's latest verification finished",
    (last) => last.at.getTime() / 1000,
  );
}

/** How long one gap summary serves the gauges of one scrape (they collect one after another). */
const GAP_SUMMARY_TTL_MS = 1_000;
const DIRECTIONS = ['forward', 'reverse'] as const;

/**
 * Gap gauges per collection and direction (zero for the quiet ones, so each series exists from the first
 * scrape), and `strangler_gaps_drained_total`: gaps ever resolved, read from the table, since drains run
 * on the workers and not in this process. `rate()` of it is the drain rate.
 */
function registerGapMetrics(registry: Registry, deps: WorkerDeps, resolvedTtlMs: number): void {
  const log = deps.log;
  let summary: { at: number; value: Promise<GapSummary> } | undefined;
  const currentSummary = () => {
    if (!summary || Date.now() - summary.at > GAP_SUMMARY_TTL_MS) {
      summary = { at: Date.now(), value: summarizeGaps(deps.db) };
    }
    return summary.value;
  };
  const perGroup = (name: string, help: string, value: (group: GapGroup) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['collection', 'direction'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          const { byCollection } = await currentSummary();
          for (const collection of REGISTRY.order)
            for (const direction of DIRECTIONS) this.set({ collection, direction }, 0);
          for (const group of byCollection)
            this.set({ collection: group.collection, direction: group.direction }, value(group));
        } catch (error) {
          log.warn({ err: error }, 'metrics: cannot summarise gaps');
        }
      },
    });
  perGroup('strangler_gaps_open', 'Open dual-write gaps per collection and direction', (g) => g.open);
  perGroup(
    'strangler_gaps_dead',
    'Dead dual-write gaps (attempts exhausted) per collection and direction',
    (g) => g.dead,
  );
  perGroup(
    'strangler_gaps_oldest_open_age_seconds',
    'Seconds since the first failure of the oldest open gap (0 when none is open)',
    (g) => g.oldestOpenAgeSeconds ?? 0,
  );

  let resolved: { at: number; counts: CountsByCollection } | undefined;
  new Counter({
    name: 'strangler_gaps_drained_total',
    help: `Dual-write gaps resolved by a drain, per collection (refreshed at most every ${resolvedTtlMs / 1000} s)`,
    labelNames: ['collection'] as const,
    registers: [registry],
    async collect() {
      try {
        if (!resolved || Date.now() - resolved.at > resolvedTtlMs) {
          resolved = { at: Date.now(), counts: await countResolvedGaps(deps.db) };
        }
        this.reset();
        const names = new Set([...REGISTRY.order, ...resolved.counts.keys()]);
        for (const collection of names) this.inc({ collection }, resolved.counts.get(collection) ?? 0);
      } catch (error) {
        log.warn({ err: error }, 'metrics: cannot count drained gaps');
      }
    },
  });

  new Gauge({
    name: 'strangler_gaps_fallback_pending',
    help: 'Gap records waiting in the MongoDB fallback store for Postgres to take them',
    registers: [registry],
    async collect() {
      try {
        this.set(await countFallbackRecords(deps.mongo));
      } catch (error) {
        this.reset();
        log.warn({ err: error }, 'metrics: cannot count the gap fallback store');
      }
    },
  });
}

export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(body);
  };
}
