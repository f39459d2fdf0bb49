import { ObjectId } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/backfill/start.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { runCli } from '../support/cli.js';
import { startTestStack, type TestStack } from '../support/stack.js';

interface VerifyJson {
  status: 'green' | 'red';
  collections: {
    name: string;
    status: 'green' | 'red';
    mismatches: { id: string; kind: string; columns: string[] }[];
    repaired: { id: string; kind: string; columns: string[] }[];
  }[];
}

/**
 * The acceptance drill, through `strangler verify` as an operator runs it: after a green
 * verification, six kinds of damage at once, in both stores; the next verification names each by its
 * legacy id and kind and nothing else; `--repair` makes it green, and a plain verification agrees.
 */
describe('strangler verify catches each kind of damage, and --repair heals it', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 300, seed: 31 });
    stack.startWorkers(2, { queues: ['backfill', 'gaps', 'verify'] });
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 100 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    env = {
      PG_URL: stack.config.PG_URL,
      MONGO_URL: stack.config.MONGO_URL,
      REDIS_URL: stack.config.REDIS_URL,
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
      VERIFY_LAG_MS: '50',
    };
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const verify = async (...args: string[]) => {
    const result = await runCli(['verify', '--json', ...args], env, 180_000);
    return { code: result.code, stderr: result.stderr, report: JSON.parse(result.stdout) as VerifyJson };
  };
  const sql = async <R extends object>(text: string, values: unknown[] = []) =>
    (await stack.pg.db.$client.query<R>(text, values)).rows;
  const found = (report: VerifyJson, list: 'mismatches' | 'repaired') =>
    report.collections
      .flatMap((c) => c[list].map((m) => `${c.name} ${m.id} ${m.kind} ${m.columns.join(',')}`))
      .sort();

  it('names every damaged document and no other; --repair turns it green', async () => {
    const before = await verify();
    expect(before.report.collections.filter((c) => c.status !== 'green')).toEqual([]);
    expect(before.code).toBe(0);

    const expected: string[] = [];
    // A payment's amount off by 1e-18 in Postgres.
    const [payment] = await sql<{ id: string; amount: string }>(
      `WITH target AS (SELECT id, amount::text AS amount FROM payments
                        WHERE source_deleted_at IS NULL AND rejected_at IS NULL ORDER BY legacy_object_id LIMIT 1)
       UPDATE payments p SET amount = p.amount + 0.000000000000000001 FROM target
        WHERE p.id = target.id RETURNING p.legacy_object_id AS id, target.amount`,
    );
    expected.push(`payments ${payment!.id} changed amount`);
    // A child row deleted in Postgres.
    const [dispute] = await sql<{ id: string }>(
      `WITH gone AS (
         DELETE FROM dispute_timeline WHERE ctid = (SELECT ctid FROM dispute_timeline LIMIT 1) RETURNING dispute_id)
       SELECT d.legacy_object_id AS id FROM disputes d JOIN gone ON gone.dispute_id = d.id`,
    );
    expected.push(`disputes ${dispute!.id} child_rows dispute_timeline`);
    // A column changed in Postgres.
    const [user] = await sql<{ id: string }>(
      `UPDATE users SET profile_display_name = 'tampered'
        WHERE id = (SELECT id FROM users WHERE source_deleted_at IS NULL AND rejected_at IS NULL
                     ORDER BY legacy_object_id LIMIT 1 OFFSET 7)
        RETURNING legacy_object_id AS id`,
    );
    expected.push(`users ${user!.id} changed profile_display_name`);
    // A row with no source document.
    const stray = new ObjectId().toHexString();
    await stack.pg.db.$client.query(
      `CREATE TEMP TABLE stray AS SELECT * FROM point_transactions WHERE rejected_at IS NULL LIMIT 1;
       UPDATE stray SET id = gen_random_uuid(), legacy_object_id = '${stray}';
       INSERT INTO point_transactions SELECT * FROM stray; DROP TABLE stray;`,
    );
    expected.push(`pointtransactions ${stray} extra `);
    // A MongoDB document changed, and one deleted, behind the repositories' back.
    const offer = await stack.source
      .collection<Document>('selleroffers')
      .findOne({ message: { $type: 'string' } });
    await stack.source
      .collection<Document>('selleroffers')
      .updateOne({ _id: offer!._id }, { $set: { message: 'edited in mongosh' } });
    expected.push(`selleroffers ${(offer!._id as ObjectId).toHexString()} changed message`);
    const review = await stack.source.collection<Document>('reviews').findOne({}, { sort: { _id: -1 } });
    await stack.source.collection<Document>('reviews').deleteOne({ _id: review!._id });
    expected.push(`reviews ${(review!._id as ObjectId).toHexString()} extra `);

    const caught = await verify();
    expect(caught.code).toBe(1);
    expect(found(caught.report, 'mismatches')).toEqual(expected.sort());

    const repaired = await verify('--repair');
    expect(found(repaired.report, 'mismatches')).toEqual([]);
    expect(found(repaired.report, 'repaired')).toEqual(expected.sort());
    expect(repaired.code).toBe(0);

    const after = await verify();
    expect(after.report.collections.filter((c) => c.status !== 'green')).toEqual([]);
    expect(after.code).toBe(0);
    // Independently of the verifier: the repair put back the amount Postgres had before the damage.
    const [restored] = await sql<{ amount: string }>(
      `SELECT amount::text AS amount FROM payments WHERE legacy_object_id = $1`,
      [payment!.id],
    );
    expect(restored!.amount).toBe(payment!.amount);
  });
});
