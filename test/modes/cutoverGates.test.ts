import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { changeMode } from '../../src/modes/changeMode.js';
import { GateRefusedError } from '../../src/modes/errors.js';
import {
  cutoverGates,
  DEFAULT_CUTOVER_POLICY,
  type CutoverPolicy,
  type Gate,
} from '../../src/modes/gates/index.js';
import { runCli } from '../support/cli.js';
import { markCutoverReady, NO_CUTOVER_WAITS } from '../support/cutoverReady.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** Gates with no waiting: each test turns one gate red on purpose. */
const QUICK: CutoverPolicy = { ...DEFAULT_CUTOVER_POLICY, shadowWindowMs: 0, soakMs: 0 };

describe('cutover gates: a forward move is refused while one is red, naming it and its value', () => {
  let pgDb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    pgDb = await createTestDatabase();
    db = pgDb.db;
  });
  afterAll(async () => {
    await pgDb?.drop();
  });

  const sql = (text: string, values: unknown[] = []) => db.$client.query(text, values);
  const move = (collection: string, to: string, policy: CutoverPolicy = QUICK) =>
    changeMode(db, { collection, to, actor: 'test' }, { gates: cutoverGates(db, policy) });
  /** The red gates of a refused move (the move must be refused). */
  const refusal = async (collection: string, to: string, policy: CutoverPolicy = QUICK): Promise<Gate[]> => {
    const error = await move(collection, to, policy).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error, `${collection} → ${to} should be refused`).toBeInstanceOf(GateRefusedError);
    return [...(error as GateRefusedError).gates];
  };
  const evaluate = (collection: string, to: 'dual' | 'pg' | 'decommissioned', policy = QUICK) =>
    cutoverGates(db, policy)(collection, 'mongo', to);

  it('into dual: refused until a full backfill completed the collection (a --since delta does not count)', async () => {
    expect(await refusal('reviews', 'dual')).toEqual([
      { name: 'backfill', ok: false, value: 'never completed' },
    ]);
    await sql(
      `WITH run AS (INSERT INTO backfill_runs (status, collections, chunk_size, since)
                    VALUES ('completed', '{reviews}', 100, now() - interval '1 day') RETURNING id)
       INSERT INTO backfill_run_collections (run_id, collection, status, waiting_on, finished_at)
       SELECT id, 'reviews', 'completed', 0, now() FROM run`,
    );
    expect((await refusal('reviews', 'dual'))[0]!.name).toBe('backfill');
    await markCutoverReady(db.$client, ['reviews']);
    expect((await move('reviews', 'dual')).change?.gates).toMatchObject({ backfill: { ok: true } });
  });

  it('into pg: every gate green after a backfill, a green verification and a clean window; each red one named', async () => {
    await markCutoverReady(db.$client, ['levelconfigs', 'users']);
    await move('levelconfigs', 'dual');
    await move('users', 'dual');

    // The parent is still in dual: users' rows point at levelconfigs rows Postgres is not the authority for.
    expect(await refusal('users', 'pg')).toEqual([
      { name: 'parents', ok: false, value: 'levelconfigs:dual' },
    ]);
    await move('levelconfigs', 'pg');

    // A red verification after the green one: the latest counts.
    await sql(
      `WITH run AS (INSERT INTO verification_runs (status, collections, requested_by, finished_at)
                    VALUES ('red', '{users}', 'test', now()) RETURNING id)
       INSERT INTO verification_results (run_id, collection, status, mismatches_confirmed, finished_at)
       SELECT id, 'users', 'red', 2, now() FROM run`,
    );
    const [verification] = await refusal('users', 'pg');
    expect(verification).toMatchObject({ name: 'verification', ok: false });
    expect(verification!.value).toMatch(/^red \(2 mismatches\), \d+ s ago$/);
    await markCutoverReady(db.$client, ['users']);
    // Green but older than the policy allows.
    await sql(
      `UPDATE verification_results SET finished_at = now() - interval '2 hours' WHERE collection = 'users'`,
    );
    const old = await refusal('users', 'pg', { ...QUICK, verificationMaxAgeMs: 3_600_000 });
    expect(old).toEqual([
      { name: 'verification', ok: false, value: expect.stringMatching(/^green, 72\d\d s ago$/) },
    ]);
    await markCutoverReady(db.$client, ['users']);

    // A stuck gap: open for an hour (and so a forward gap too).
    await sql(
      `INSERT INTO pg_dualwrite_gaps (collection, legacy_object_id, op, direction, first_seen_at)
       VALUES ('users', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'upsert', 'forward', now() - interval '1 hour')`,
    );
    const stuck = await refusal('users', 'pg');
    expect(stuck.map((g) => g.name)).toEqual(['gapAge', 'forwardGaps']);
    expect(stuck[0]!.value).toBeGreaterThanOrEqual(3600);
    await sql(`UPDATE pg_dualwrite_gaps SET status = 'dead' WHERE collection = 'users'`);
    expect((await refusal('users', 'pg'))[0]).toEqual({ name: 'gapAge', ok: false, value: '1 dead' });
    await sql(
      `UPDATE pg_dualwrite_gaps SET status = 'resolved', resolved_at = now() WHERE collection = 'users'`,
    );

    // A confirmed shadow-read mismatch inside the window; a cleared one does not count.
    await sql(
      `INSERT INTO shadow_read_mismatches (collection, read, args, status)
       VALUES ('users', 'findById', '[]', 'cleared'), ('users', 'findById', '[]', 'confirmed')`,
    );
    const windowed = { ...QUICK, shadowWindowMs: 3_600_000 };
    const shadow = await refusal('users', 'pg', windowed);
    expect(shadow).toEqual([
      { name: 'shadowReads', ok: false, value: 1 },
      { name: 'inDual', ok: false, value: expect.any(Number) },
    ]);
    await sql(`UPDATE shadow_read_mismatches SET first_seen_at = now() - interval '2 hours'`);
    await sql(
      `UPDATE collection_modes SET changed_at = now() - interval '2 hours' WHERE collection = 'users'`,
    );
    const moved = await move('users', 'pg', windowed);
    expect(moved.change?.gates).toEqual({
      backfill: { ok: true, value: expect.any(String) },
      verification: { ok: true, value: expect.stringMatching(/^green, /) },
      gapAge: { ok: true, value: 0 },
      shadowReads: { ok: true, value: 0 },
      inDual: { ok: true, value: expect.any(Number) },
      parents: { ok: true, value: 'all in pg' },
      forwardGaps: { ok: true, value: 0 },
    });
  });

  it('into decommissioned: refused while a reverse gap is open and until the soak in pg is over', async () => {
    const soak = { ...QUICK, soakMs: 3_600_000 };
    expect((await refusal('levelconfigs', 'decommissioned', soak)).map((g) => g.name)).toEqual(['inPg']);
    await sql(
      `UPDATE collection_modes SET changed_at = now() - interval '2 hours' WHERE collection = 'levelconfigs'`,
    );
    await sql(
      `INSERT INTO pg_dualwrite_gaps (collection, legacy_object_id, op, direction)
       VALUES ('levelconfigs', 'bbbbbbbbbbbbbbbbbbbbbbbb', 'upsert', 'reverse')`,
    );
    expect(await refusal('levelconfigs', 'decommissioned', soak)).toEqual([
      { name: 'reverseGaps', ok: false, value: 1 },
    ]);
    await sql(
      `UPDATE pg_dualwrite_gaps SET status = 'resolved', resolved_at = now() WHERE collection = 'levelconfigs'`,
    );
    expect((await evaluate('levelconfigs', 'decommissioned', soak)).every((gate) => gate.ok)).toBe(true);
  });

  it('a back move is never gated: from pg to mongo with every gate red', async () => {
    await sql(
      `WITH run AS (INSERT INTO verification_runs (status, collections, requested_by, finished_at)
                    VALUES ('red', '{users}', 'test', now()) RETURNING id)
       INSERT INTO verification_results (run_id, collection, status, mismatches_confirmed, finished_at)
       SELECT id, 'users', 'red', 9, now() FROM run`,
    );
    const back = await move('users', 'mongo');
    expect(back).toMatchObject({ from: 'pg', to: 'mongo', changed: true });
    expect(back.change).toMatchObject({ gates: null, forced: false });
  });

  it('the CLI refuses a red gate with exit code 1 naming it, and --force --reason records the values', async () => {
    const env = { PG_URL: pgDb.url, ...NO_CUTOVER_WAITS };
    const refused = await runCli(['mode', 'payments', 'dual'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('gate "backfill" is red (value: "never completed")');
    const forced = await runCli(
      ['mode', 'payments', 'dual', '--force', '--reason', 'restored from a dump', '--json'],
      env,
    );
    expect(forced.code).toBe(0);
    const { rows } = await sql(
      `SELECT forced, reason, gates FROM collection_mode_changes WHERE collection = 'payments' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({
      forced: true,
      reason: 'restored from a dump',
      gates: { backfill: { ok: false, value: 'never completed' } },
    });
  });
});
