import { Counter, register, type Registry } from 'prom-client';

export const SHADOW_OUTCOMES = ['match', 'mismatch', 'failed', 'skipped'] as const;
export type ShadowOutcome = (typeof SHADOW_OUTCOMES)[number];

export const SHADOW_READS_METRIC = 'strangler_shadow_reads_total';

export type ShadowReadsCounter = Counter<'collection' | 'read' | 'outcome'>;

/**
 * The shadow-read counter. Shadow reads run in the application's processes (where the repositories
 * live), not in the board, whose registry is its own (src/board/metrics.ts); so by default it goes on
 * prom-client's global registry, the one an application exposes. Created once per registry: every
 * createRepositories() of a process (tests make many) shares it instead of failing "already registered".
 */
export function shadowReadsCounter(registry: Registry = register): ShadowReadsCounter {
  const existing = registry.getSingleMetric(SHADOW_READS_METRIC);
  if (existing) return existing as ShadowReadsCounter;
  return new Counter({
    name: SHADOW_READS_METRIC,
    help: 'Dual-mode repository reads repeated on Postgres, by outcome (match|mismatch|failed|skipped)',
    labelNames: ['collection', 'read', 'outcome'] as const,
    registers: [registry],
  });
}
