import type { CollectionSpec } from './spec.js';

/**
 * The reference graph between collections, derived from the specs. Edges point child → parent.
 * Deferred edges (self references, the back edge of a cycle) do not order the backfill: they are applied
 * by link passes after both ends are copied, so only the non-deferred edges must form a DAG.
 */
export class UnknownCollectionError extends Error {
  override readonly name = 'UnknownCollectionError';
  constructor(
    readonly collection: string,
    known: readonly string[],
  ) {
    super(`unknown collection "${collection}" (known: ${known.join(', ')})`);
  }
}

export class ReferenceCycleError extends Error {
  override readonly name = 'ReferenceCycleError';
  constructor(readonly cycle: readonly string[]) {
    super(`reference cycle with no deferred link: ${cycle.join(' → ')}; mark one edge deferred`);
  }
}

export interface ReferenceGraph {
  /** Collections in an order where every non-deferred parent comes before its children. */
  readonly order: readonly string[];
  /** Non-deferred parents of each collection (excluding itself). */
  readonly parents: ReadonlyMap<string, ReadonlySet<string>>;
  /** Parents reached through deferred references (may include the collection itself). */
  readonly deferredParents: ReadonlyMap<string, ReadonlySet<string>>;
}

export function buildGraph(specs: readonly CollectionSpec[]): ReferenceGraph {
  const names = specs.map((spec) => spec.collection);
  const known = new Set(names);
  const parents = new Map<string, Set<string>>();
  const deferredParents = new Map<string, Set<string>>();
  for (const spec of specs) {
    const direct = new Set<string>();
    const deferred = new Set<string>();
    for (const ref of spec.references) {
      if (!known.has(ref.parent)) throw new UnknownCollectionError(ref.parent, names);
      if (ref.deferred && !ref.many && !ref.column) {
        throw new Error(`${spec.collection}.${ref.path}: a deferred single reference must name its column`);
      }
      if (ref.deferred) deferred.add(ref.parent);
      else if (ref.parent === spec.collection)
        throw new ReferenceCycleError([spec.collection, spec.collection]);
      else direct.add(ref.parent);
    }
    parents.set(spec.collection, direct);
    deferredParents.set(spec.collection, deferred);
  }
  return { order: topologicalOrder(names, parents), parents, deferredParents };
}

/** Depth-first topological sort that reports the cycle it finds, in registry order for stable output. */
function topologicalOrder(
  names: readonly string[],
  parents: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const seen = state.get(name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new ReferenceCycleError([...path.slice(path.indexOf(name)), name]);
    state.set(name, 'visiting');
    for (const parent of parents.get(name) ?? []) visit(parent, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of names) visit(name, []);
  return order;
}

/** Collections that (non-deferred) reference `collection`. */
export function dependantsOf(graph: ReferenceGraph, collection: string): string[] {
  return graph.order.filter((name) => graph.parents.get(name)?.has(collection));
}
