import { describe, expect, it } from 'vitest';
import type { CollectionMode } from '../../src/modes/machine.js';
import { routingMode } from '../../src/modes/settle.js';

const SETTLE = 10_000;
const state = (
  previous: CollectionMode | null,
  mode: CollectionMode,
  ageMs: number,
  reverseGapsOpen = 0,
  forwardGapsOpen = 0,
) => ({ previous, mode, ageMs, reverseGapsOpen, forwardGapsOpen });

describe('the settle fence: which mode calls are routed by', () => {
  it.each([
    // A change of the authoritative store is routed by the previous mode until the window has passed.
    ['dual → pg, just now', state('dual', 'pg', 0), 0, 'dual'],
    ['dual → pg, 9.9 s ago', state('dual', 'pg', 9_900), 0, 'dual'],
    ['dual → pg, read 9 s ago at age 2 s', state('dual', 'pg', 2_000), 9_000, 'pg'],
    ['dual → pg, 10 s ago', state('dual', 'pg', 10_000), 0, 'pg'],
    ['pg → dual (rollback), just now', state('pg', 'dual', 0), 0, 'pg'],
    ['pg → mongo, just now', state('pg', 'mongo', 5), 0, 'pg'],
    ['decommissioned → dual, just now', state('decommissioned', 'dual', 5), 0, 'decommissioned'],
    // The same authoritative store: only a follower starts or stops, at once.
    ['mongo → dual, just now', state('mongo', 'dual', 0), 0, 'dual'],
    ['dual → mongo, just now', state('dual', 'mongo', 0), 0, 'mongo'],
    ['pg → decommissioned, just now', state('pg', 'decommissioned', 0), 0, 'decommissioned'],
    ['never changed', state(null, 'mongo', 0), 0, 'mongo'],
    // Back to MongoDB while MongoDB misses Postgres commits (open reverse gaps): Postgres-first until drained.
    ['pg → dual long ago, 3 reverse gaps open', state('pg', 'dual', 60_000, 3), 0, 'pg'],
    ['dual → mongo after pg, 1 reverse gap open', state('dual', 'mongo', 60_000, 1), 0, 'pg'],
    ['pg, reverse gaps open', state('dual', 'pg', 60_000, 5), 0, 'pg'],
    ['decommissioned, reverse gaps open', state('pg', 'decommissioned', 60_000, 5), 0, 'decommissioned'],
    // Into Postgres while Postgres misses MongoDB writes (open forward gaps): MongoDB-first until drained.
    ['dual → pg long ago, 2 forward gaps open', state('dual', 'pg', 60_000, 0, 2), 0, 'dual'],
    ['dual → pg just now, 2 forward gaps open', state('dual', 'pg', 0, 0, 2), 0, 'dual'],
    ['dual, forward gaps open', state('mongo', 'dual', 60_000, 0, 2), 0, 'dual'],
  ] as const)('%s', (_label, recorded, elapsedMs, routed) => {
    expect(routingMode(recorded, SETTLE, elapsedMs)).toBe(routed);
  });

  it('routes a collection without a mode row by mongo', () => {
    expect(routingMode(undefined, SETTLE)).toBe('mongo');
  });
});
