import { describe, expect, it } from 'vitest';
import type { CollectionMode } from '../../src/modes/machine.js';
import { routingMode } from '../../src/modes/settle.js';

const SETTLE = 10_000;
const state = (previous: CollectionMode | null, mode: CollectionMode, ageMs: number) => ({
  previous,
  mode,
  ageMs,
});

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
  ] as const)('%s', (_label, recorded, elapsedMs, routed) => {
    expect(routingMode(recorded, SETTLE, elapsedMs)).toBe(routed);
  });

  it('routes a collection without a mode row by mongo', () => {
    expect(routingMode(undefined, SETTLE)).toBe('mongo');
  });
});
