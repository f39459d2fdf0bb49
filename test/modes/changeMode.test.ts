import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REGISTRY, UnknownCollectionError } from '../../src/collections/registry.js';
import { createDb, type Db } from '../../src/db/client.js';
import { changeAllModes, planAll } from '../../src/modes/changeAll.js';
import { changeMode } from '../../src/modes/changeMode.js';
import {
  ForceWithoutReasonError,
  GateRefusedError,
  SkippedModeError,
  UnknownModeError,
} from '../../src/modes/errors.js';
import { gapGates, type Gate, type GateProvider } from '../../src/modes/gates/index.js';
import {
  COLLECTION_MODES,
  directionOf,
  nextMode,
  routingOf,
  type CollectionMode,
} from '../../src/modes/machine.js';
import { readAllModes, readModeHistory } from '../../src/modes/storage.js';
import { readModes } from '../../src/status/counts.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** A gate provider for tests: the given gates for forward moves of the listed collections, none elsewhere. */
function gatesFor(red: Record<string, readonly Gate[]>, calls: string[] = []): GateProvider {
  return async (collection, from, to) => {
    calls.push(`${collection}:${from}→${to}`);
    return red[collection] ?? [];
  };
}

const VERIFICATION_RED: Gate = { name: 'verification', ok: false, value: '3 mismatches' };
const GAPS_GREEN: Gate = { name: 'gapsOpen', ok: true, value: 0 };

describe('mode state machine and storage', () => {
  let pgDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    pgDb = await createTestDatabase();
    db = pgDb.db;
  });
  afterAll(async () => {
    await pgDb?.drop();
  });
  beforeEach(async () => {
    await db.execute(sql`TRUNCATE collection_modes, collection_mode_changes RESTART IDENTITY`);
  });

  const modeOf = async (collection: string) => (await readAllModes(db)).get(collection) ?? 'mongo';

  it('the machine: one forward step at a time, back to anywhere, every mode routed', () => {
    expect(COLLECTION_MODES).toEqual(['mongo', 'dual', 'pg', 'decommissioned']);
    expect(COLLECTION_MODES.map(nextMode)).toEqual(['dual', 'pg', 'decommissioned', null]);
    expect(directionOf('mongo', 'dual')).toBe('forward');
    expect(directionOf('decommissioned', 'mongo')).toBe('back');
    expect(directionOf('pg', 'pg')).toBe('same');
    expect(routingOf('dual')).toEqual({ reads: 'mongo', authoritative: 'mongo', mirror: 'pg' });
    expect(routingOf('pg')).toEqual({ reads: 'pg', authoritative: 'pg', mirror: 'mongo' });
  });

  it('records forward and back moves with actor, reason and the gates evaluated', async () => {
    const forward = await changeMode(
      db,
      {
        collection: 'users',
        to: 'dual',
        actor: 'alice',
        reason: '  pilot done  ',
      },
      { gates: gapGates(db) },
    );
    expect(forward).toMatchObject({ collection: 'users', from: 'mongo', to: 'dual', changed: true });
    expect(forward.change).toMatchObject({
      collection: 'users',
      from: 'mongo',
      to: 'dual',
      actor: 'alice',
      reason: 'pilot done',
      forced: false,
      gates: {},
    });
    await changeMode(db, { collection: 'users', to: 'pg', actor: 'bob' }, { gates: gapGates(db) });
    const back = await changeMode(
      db,
      {
        collection: 'users',
        to: 'mongo',
        actor: 'carol',
        reason: 'rollback',
      },
      { gates: gapGates(db) },
    );
    // A back move is never gated, so no gates were evaluated for it.
    expect(back.change).toMatchObject({
      from: 'pg',
      to: 'mongo',
      actor: 'carol',
      gates: null,
      forced: false,
    });

    const history = await readModeHistory(db, { collection: 'users' });
    expect(history.map((c) => [c.from, c.to, c.actor, c.reason])).toEqual([
      ['mongo', 'dual', 'alice', 'pilot done'],
      ['dual', 'pg', 'bob', null],
      ['pg', 'mongo', 'carol', 'rollback'],
    ]);
    expect(await modeOf('users')).toBe('mongo');
    // What `status` and the board read.
    expect((await readModes(db)).get('users')).toBe('mongo');
    await changeMode(db, { collection: 'users', to: 'dual', actor: 'alice' }, { gates: gapGates(db) });
    expect((await readModes(db)).get('users')).toBe('dual');
  });

  it('a move to the current mode is a no-op that records nothing', async () => {
    const same = await changeMode(
      db,
      { collection: 'reviews', to: 'mongo', actor: 'alice' },
      { gates: gapGates(db) },
    );
    expect(same).toEqual({ collection: 'reviews', from: 'mongo', to: 'mongo', changed: false, change: null });
    await changeMode(db, { collection: 'reviews', to: 'dual', actor: 'alice' }, { gates: gapGates(db) });
    const again = await changeMode(
      db,
      { collection: 'reviews', to: 'dual', actor: 'bob' },
      { gates: gapGates(db) },
    );
    expect(again.changed).toBe(false);
    expect(await readModeHistory(db, { collection: 'reviews' })).toHaveLength(1);
  });

  it('refuses a skipped step, an unknown mode or collection, and --force without a reason', async () => {
    await expect(
      changeMode(db, { collection: 'users', to: 'pg', actor: 'a' }, { gates: gapGates(db) }),
    ).rejects.toThrow(SkippedModeError);
    await expect(
      changeMode(db, { collection: 'users', to: 'postgres', actor: 'a' }, { gates: gapGates(db) }),
    ).rejects.toThrow(UnknownModeError);
    await expect(
      changeMode(db, { collection: 'nope', to: 'dual', actor: 'a' }, { gates: gapGates(db) }),
    ).rejects.toThrow(UnknownCollectionError);
    // Refused even with every gate green: a forced move must say why.
    for (const reason of [undefined, null, '   ']) {
      await expect(
        changeMode(
          db,
          { collection: 'users', to: 'dual', actor: 'a', force: true, reason },
          { gates: gapGates(db) },
        ),
      ).rejects.toThrow(ForceWithoutReasonError);
    }
    expect(await modeOf('users')).toBe('mongo');
    expect(await readModeHistory(db)).toEqual([]);
  });

  it('refuses a forward move over a red gate, naming it; --force with a reason records it', async () => {
    const gates = gatesFor({ payments: [VERIFICATION_RED, GAPS_GREEN] });
    const refused = changeMode(db, { collection: 'payments', to: 'dual', actor: 'alice' }, { gates });
    await expect(refused).rejects.toThrow(GateRefusedError);
    await expect(refused).rejects.toThrow(
      'payments: mongo → dual refused: gate "verification" is red (value: "3 mismatches")',
    );
    const error = (await refused.catch((e: unknown) => e)) as GateRefusedError;
    expect(error.gates).toEqual([VERIFICATION_RED]);
    expect(await modeOf('payments')).toBe('mongo');
    expect(await readModeHistory(db)).toEqual([]);

    const forced = await changeMode(
      db,
      { collection: 'payments', to: 'dual', actor: 'alice', force: true, reason: 'known drift, ticket 42' },
      { gates },
    );
    expect(forced.change).toMatchObject({
      forced: true,
      reason: 'known drift, ticket 42',
      gates: {
        verification: { ok: false, value: '3 mismatches' },
        gapsOpen: { ok: true, value: 0 },
      },
    });
    // --force over green gates is allowed (with its reason) but is not recorded as forced.
    const green = await changeMode(
      db,
      { collection: 'users', to: 'dual', actor: 'alice', force: true, reason: 'why not' },
      { gates },
    );
    expect(green.change).toMatchObject({ forced: false, gates: {} });
  });

  it('always allows a back move, without evaluating gates', async () => {
    const calls: string[] = [];
    const gates = gatesFor({ payments: [VERIFICATION_RED] }, calls);
    await changeMode(
      db,
      { collection: 'payments', to: 'dual', actor: 'a', force: true, reason: 'r' },
      { gates },
    );
    expect(calls).toEqual(['payments:mongo→dual']);
    const back = await changeMode(db, { collection: 'payments', to: 'mongo', actor: 'a' }, { gates });
    expect(back).toMatchObject({ from: 'dual', to: 'mongo', changed: true });
    expect(calls).toHaveLength(1);
  });

  it('`all` moves parents first forward and children first back, idempotently', async () => {
    const forward = await changeAllModes(db, { to: 'dual', actor: 'ops' }, { gates: gapGates(db) });
    expect(forward.stopped).toBeNull();
    expect(forward.moves.map((m) => m.collection)).toEqual([...REGISTRY.order]);
    let history = await readModeHistory(db, { limit: 1000 });
    expect(history.map((c) => c.collection)).toEqual([...REGISTRY.order]);
    expect(history.every((c) => c.from === 'mongo' && c.to === 'dual' && c.actor === 'ops')).toBe(true);

    const again = await changeAllModes(db, { to: 'dual', actor: 'ops' }, { gates: gapGates(db) });
    expect(again.moves.every((m) => !m.changed)).toBe(true);
    expect(await readModeHistory(db, { limit: 1000 })).toHaveLength(REGISTRY.order.length);

    const back = await changeAllModes(
      db,
      { to: 'mongo', actor: 'ops', reason: 'drill' },
      { gates: gapGates(db) },
    );
    expect(back.stopped).toBeNull();
    history = (await readModeHistory(db, { limit: 1000 })).slice(REGISTRY.order.length);
    expect(history.map((c) => c.collection)).toEqual([...REGISTRY.order].reverse());
    expect(history.every((c) => c.from === 'dual' && c.to === 'mongo' && c.reason === 'drill')).toBe(true);
  });

  it('`all` stops at the first refusal and reports what moved; a re-run continues', async () => {
    const order = REGISTRY.order;
    const blocked = 'payments';
    const at = order.indexOf(blocked);
    const notified: string[] = [];
    const report = await changeAllModes(
      db,
      { to: 'dual', actor: 'ops' },
      {
        gates: gatesFor({ [blocked]: [VERIFICATION_RED] }),
        onMoved: (move) => void notified.push(move.collection),
      },
    );
    expect(report.moves.map((m) => m.collection)).toEqual(order.slice(0, at));
    expect(notified).toEqual(order.slice(0, at));
    expect(report.stopped?.collection).toBe(blocked);
    expect(report.stopped?.error).toBeInstanceOf(GateRefusedError);
    expect(report.notAttempted).toEqual(order.slice(at + 1));
    const modes = await readAllModes(db);
    for (const [i, name] of order.entries())
      expect(modes.get(name) ?? 'mongo', name).toBe(i < at ? 'dual' : 'mongo');

    const rerun = await changeAllModes(db, { to: 'dual', actor: 'ops' }, { gates: gapGates(db) });
    expect(rerun.stopped).toBeNull();
    expect(rerun.moves.filter((m) => m.changed).map((m) => m.collection)).toEqual(order.slice(at));
  });

  it('`all` from mixed modes: back moves first (children first), then forward moves (parents first)', () => {
    const order = ['levelconfigs', 'users', 'addresses', 'payments'];
    const modes = new Map<string, CollectionMode>([
      ['levelconfigs', 'pg'],
      ['users', 'pg'],
      ['payments', 'dual'],
    ]);
    expect(planAll(order, modes, 'dual')).toEqual(['users', 'levelconfigs', 'addresses', 'payments']);
    expect(planAll(order, modes, 'mongo')).toEqual(['payments', 'users', 'levelconfigs', 'addresses']);
  });

  it('concurrent changes of one collection serialize on its row lock', async () => {
    // A pool of its own, big enough for every change to be in flight at once.
    const wide = createDb({ url: pgDb.url, max: 12 });
    try {
      const same = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          changeMode(wide, { collection: 'disputes', to: 'dual', actor: `w${i}` }, { gates: gapGates(wide) }),
        ),
      );
      expect(same.filter((m) => m.changed)).toHaveLength(1);
      expect(await readModeHistory(wide, { collection: 'disputes' })).toHaveLength(1);

      const targets: CollectionMode[] = [
        'mongo',
        'dual',
        'mongo',
        'dual',
        'mongo',
        'dual',
        'mongo',
        'dual',
        'mongo',
        'dual',
      ];
      const flips = await Promise.all(
        [...targets, ...targets].map((to, i) =>
          changeMode(wide, { collection: 'disputes', to, actor: `f${i}` }, { gates: gapGates(wide) }),
        ),
      );
      const changed = flips.filter((m) => m.changed);
      const history = await readModeHistory(wide, { collection: 'disputes', limit: 1000 });
      expect(history).toHaveLength(1 + changed.length);
      // An unbroken chain: each change starts where the previous one (in commit order) ended.
      for (let i = 1; i < history.length; i++) {
        expect(history[i]!.from, `change ${i}`).toBe(history[i - 1]!.to);
        expect(history[i]!.changedAt.getTime()).toBeGreaterThanOrEqual(history[i - 1]!.changedAt.getTime());
      }
      expect((await readAllModes(wide)).get('disputes')).toBe(history.at(-1)!.to);
      // Every call reported the mode it found under the lock: the moves' chain is the audit's chain.
      expect(changed.map((m) => m.change!.id).sort((a, b) => a - b)).toEqual(
        history.slice(1).map((c) => c.id),
      );
    } finally {
      await wide.$client.end();
    }
  });
});
