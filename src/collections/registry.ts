import { CORE_SPECS } from './core.js';
import { LEDGER_SPECS } from './ledger.js';
import { MARKETPLACE_SPECS } from './marketplace.js';
import { UnknownCollectionError, buildGraph, type ReferenceGraph } from './graph.js';
import type { CollectionSpec } from './spec.js';

export { UnknownCollectionError } from './graph.js';

export interface Registry {
  readonly specs: readonly CollectionSpec[];
  readonly graph: ReferenceGraph;
  /** Parents first. */
  readonly order: readonly string[];
  get(name: string): CollectionSpec;
  /** Validates a user's selection ('all' or names) and returns it in backfill order. */
  select(collections: readonly string[] | 'all'): string[];
}

export function createRegistry(specs: readonly CollectionSpec[]): Registry {
  const byName = new Map(specs.map((spec) => [spec.collection, spec]));
  // Validated once, at start: an unknown parent or an undeferred cycle is a programming error.
  const graph = buildGraph(specs);
  const names = [...byName.keys()];
  return {
    specs,
    graph,
    order: graph.order,
    get(name) {
      const spec = byName.get(name);
      if (!spec) throw new UnknownCollectionError(name, names);
      return spec;
    },
    select(collections) {
      if (collections === 'all') return [...graph.order];
      for (const name of collections) if (!byName.has(name)) throw new UnknownCollectionError(name, names);
      const wanted = new Set(collections);
      return graph.order.filter((name) => wanted.has(name));
    },
  };
}

/** Every collection strangler migrates: the relational core of plan §6, Phases 1–5. */
export const REGISTRY: Registry = createRegistry([...CORE_SPECS, ...MARKETPLACE_SPECS, ...LEDGER_SPECS]);
